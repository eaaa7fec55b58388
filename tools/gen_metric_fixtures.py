#!/usr/bin/python3
"""Writes tests/fixtures/train/metrics.json: confusion matrices and precision/recall/F1.

Plain Python (no sklearn, no torch), written independently of tsgrad's code from the
definitions: precision_c = TP_c / (samples predicted c), recall_c = TP_c / (samples of class c),
F1_c = 2PR / (P + R), each 0 when its denominator is 0 (sklearn's zero_division=0), and macro =
the unweighted mean over all classes.

Usage: /usr/bin/python3 tools/gen_metric_fixtures.py [outfile]
"""
import json
import os
import random
import sys


def metrics(pred, true, k):
    conf = [[0] * k for _ in range(k)]
    for p, t in zip(pred, true):
        conf[t][p] += 1
    per = []
    for c in range(k):
        tp = sum(1 for p, t in zip(pred, true) if p == c and t == c)
        npred = sum(1 for p in pred if p == c)
        ntrue = sum(1 for t in true if t == c)
        prec = tp / npred if npred else 0.0
        rec = tp / ntrue if ntrue else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per.append({'precision': prec, 'recall': rec, 'f1': f1, 'support': ntrue})
    macro = {key: sum(s[key] for s in per) / k for key in ('precision', 'recall', 'f1')}
    acc = sum(1 for p, t in zip(pred, true) if p == t) / len(true) if true else 0.0
    return conf, per, macro, acc


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'train', 'metrics.json')
    rng = random.Random(7)
    cases = []
    for name, n, k, skill in [('3 classes, 20 samples', 20, 3, 0.6), ('10 classes, 200 samples', 200, 10, 0.7),
                              ('5 classes, one never predicted, one absent', 40, 5, 0.5), ('2 classes, perfect', 15, 2, 1.0)]:
        true = [rng.randrange(k) for _ in range(n)]
        pred = [t if rng.random() < skill else rng.randrange(k) for t in true]
        if 'never predicted' in name:
            true = [t if t != 4 else 0 for t in true]  # class 4 has no samples
            pred = [p if p != 3 else 1 for p in pred]  # class 3 is never predicted
        conf, per, macro, acc = metrics(pred, true, k)
        cases.append({'name': name, 'numClasses': k, 'predicted': pred, 'target': true, 'confusion': conf,
                      'perClass': per, 'macro': macro, 'accuracy': acc})
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump({'cases': cases}, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(cases)} metric cases to {os.path.normpath(out)}')


if __name__ == '__main__':
    main()
