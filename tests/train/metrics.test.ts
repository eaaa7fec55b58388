// Confusion matrix and precision/recall/F1: a hand-computed case, and Python fixtures written from the
// definitions without sklearn (tools/gen_metric_fixtures.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import { addConfusion, classificationMetrics, classificationReport, confusionMatrix, formatConfusion, type ClassScores } from '../../src/train/metrics.js';
import { REPO_ROOT } from '../helpers.js';

interface MetricCase {
  name: string;
  numClasses: number;
  predicted: number[];
  target: number[];
  confusion: number[][];
  perClass: ClassScores[];
  macro: Omit<ClassScores, 'support'>;
  accuracy: number;
}

const CASES = (JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'train', 'metrics.json'), 'utf8')) as { cases: MetricCase[] }).cases;

function close(a: number, b: number, msg: string): void {
  assert.ok(Math.abs(a - b) < 1e-12, `${msg}: ${a} vs ${b}`);
}

describe('classification metrics', () => {
  it('a hand-computed 3-class case', () => {
    // true:      0 0 0 1 1 2
    // predicted: 0 0 1 1 2 2
    const m = classificationReport([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 2], 3);
    assert.deepEqual(m.confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
    close(m.accuracy, 4 / 6, 'accuracy');
    // class 0: P = 2/2, R = 2/3, F1 = 0.8; class 1: P = 1/2, R = 1/2, F1 = 0.5; class 2: P = 1/2, R = 1, F1 = 2/3.
    const want = [[1, 2 / 3, 0.8, 3], [0.5, 0.5, 0.5, 2], [0.5, 1, 2 / 3, 1]];
    m.perClass.forEach((s, c) => [s.precision, s.recall, s.f1, s.support].forEach((v, j) => close(v, want[c]![j]!, `class ${c} field ${j}`)));
    close(m.macro.precision, 2 / 3, 'macro precision');
    close(m.macro.recall, (2 / 3 + 0.5 + 1) / 3, 'macro recall');
    close(m.macro.f1, (0.8 + 0.5 + 2 / 3) / 3, 'macro f1');
  });

  it(`${CASES.length} Python fixture cases (plain definitions, no sklearn)`, () => {
    assert.ok(CASES.length >= 4);
    for (const c of CASES) {
      const m = classificationReport(tg.tensor(Int32Array.from(c.predicted)), tg.tensor(Int32Array.from(c.target)), c.numClasses);
      assert.deepEqual(m.confusion, c.confusion, c.name);
      close(m.accuracy, c.accuracy, `${c.name} accuracy`);
      c.perClass.forEach((s, k) => {
        for (const key of ['precision', 'recall', 'f1', 'support'] as const) close(m.perClass[k]![key], s[key], `${c.name} class ${k} ${key}`);
      });
      for (const key of ['precision', 'recall', 'f1'] as const) close(m.macro[key], c.macro[key], `${c.name} macro ${key}`);
    }
  });

  it('takes scores [N, C] (argmax), accumulates batch by batch, and formats the matrix', () => {
    const scores = tg.tensor([[0.1, 0.9], [2, -1], [0, 1]]);
    const labels = tg.tensor(Int32Array.from([1, 1, 1]));
    const cm = confusionMatrix(scores, labels, 2);
    assert.deepEqual(cm, [[0, 0], [1, 2]]);
    const total = addConfusion(confusionMatrix([0], [0], 2), cm);
    assert.deepEqual(total, [[1, 0], [1, 2]]);
    assert.equal(classificationMetrics(total).accuracy, 3 / 4);
    const text = formatConfusion(total, ['cat', 'dog']);
    assert.match(text, /^true \\ predicted {2}0 1\ncat {15}1 0\ndog {15}1 2$/);
  });

  it('bad input gets clear errors', () => {
    assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /confusionMatrix: prediction 3 at position 1 is out of range for 3 classes/);
    assert.throws(() => confusionMatrix([0], [0, 1], 3), /1 predictions but 2 targets/);
    assert.throws(() => confusionMatrix(tg.tensor([0, 1]), [0, 1], 2), /float predicted must be scores \[N, C\], got \[2\]/);
    assert.throws(() => confusionMatrix([0], [0], 0), /numClasses must be a positive integer/);
    assert.throws(() => classificationMetrics([[1, 2]]), /must be square/);
  });
});
