#!/usr/bin/env python3
"""PyTorch (CPU) side of tsgrad's training stack.

Two jobs:

  fixtures   writes tests/fixtures/train/trainer.json: a tiny model trained by the same loop the
             tsgrad Trainer runs (epochs, evalFreq/maxSteps windows), so tests compare the
             Trainer's history and final weights with PyTorch's.

  run        trains the same recipe `tsgrad train` runs (model, optimizer, lr, batch size, epochs,
             normalisation by the training set's per-channel mean/std, shuffled batches) on the
             same IDX files, and prints a JSON summary (per-epoch test accuracy, wall time):

             python3 tools/torch_train.py run --model mlp --optimizer adam --lr 0.001 \
                 --batch-size 64 --epochs 5 --data-dir ../shared/datasets/fashion-mnist

             With --data-dir pointing at assets/fashion-mnist-subset it uses the embedded subset.
Usage: /usr/bin/python3 tools/torch_train.py {fixtures|run} [options]
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------- fixtures

def tiny_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))


def state_to_json(model):
    return {k: {"shape": list(v.shape), "data": v.detach().double().flatten().tolist()} for k, v in model.state_dict().items()}


def fit_reference(model, opt, xtr, ytr, xte, yte, batch, epochs=None, max_steps=None, eval_freq=None):
    """The Trainer's loop, written out: windows of train batches between evaluation points."""
    n = xtr.shape[0]
    steps_per_epoch = (n + batch - 1) // batch
    hist = {k: [] for k in ("epoch", "step", "trainLoss", "trainAcc", "testLoss", "testAcc")}
    step = 0
    epoch = 0
    win = [0.0, 0, 0]  # loss*n, correct, n

    def evaluate(pos):
        model.eval()
        with torch.no_grad():
            out = model(xte)
            tl = F.cross_entropy(out, yte).item()
            ta = (out.argmax(1) == yte).sum().item() / len(yte)
        hist["epoch"].append(round(pos, 6))
        hist["step"].append(step)
        hist["trainLoss"].append(win[0] / win[2])
        hist["trainAcc"].append(win[1] / win[2])
        hist["testLoss"].append(tl)
        hist["testAcc"].append(ta)
        win[0], win[1], win[2] = 0.0, 0, 0

    done = False
    while not done and (epochs is None or epoch < epochs):
        evaluated_at_end = False
        for b in range(steps_per_epoch):
            xb, yb = xtr[b * batch:(b + 1) * batch], ytr[b * batch:(b + 1) * batch]
            model.train()
            opt.zero_grad()
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            step += 1
            win[0] += loss.item() * len(yb)
            win[1] += (out.argmax(1) == yb).sum().item()
            win[2] += len(yb)
            at_max = max_steps is not None and step >= max_steps
            is_last = b == steps_per_epoch - 1
            if (eval_freq is not None and step % eval_freq == 0) or at_max:
                evaluate(epoch + (1 if is_last else (b + 1) / steps_per_epoch))
                evaluated_at_end = is_last
            if at_max:
                done = True
                break
        if done and not is_last:
            break
        epoch += 1
        if not evaluated_at_end and win[2] > 0:
            evaluate(epoch)
    return hist, step


def fixtures():
    torch.manual_seed(0)
    g = np.random.default_rng(0)
    xtr = torch.tensor(g.normal(size=(12, 1, 2, 3)), dtype=torch.float32)
    ytr = torch.tensor(g.integers(0, 3, size=12), dtype=torch.int64)
    xte = torch.tensor(g.normal(size=(7, 1, 2, 3)), dtype=torch.float32)
    yte = torch.tensor(g.integers(0, 3, size=7), dtype=torch.int64)
    out = {"xTrain": xtr.flatten().tolist(), "yTrain": ytr.tolist(), "xTest": xte.flatten().tolist(), "yTest": yte.tolist(), "batchSize": 5, "cases": []}
    init = tiny_model()
    out["init"] = state_to_json(init)
    for name, kw, opt_kw in [
        ("epochs3-momentum", {"epochs": 3}, {"lr": 0.1, "momentum": 0.9}),
        ("maxSteps7-evalFreq2-sgd", {"max_steps": 7, "eval_freq": 2}, {"lr": 0.2}),
    ]:
        m = tiny_model()
        m.load_state_dict(init.state_dict())
        opt = torch.optim.SGD(m.parameters(), **opt_kw)
        hist, steps = fit_reference(m, opt, xtr, ytr, xte, yte, 5, **kw)
        out["cases"].append({"name": name, "fit": {k: v for k, v in kw.items()}, "sgd": opt_kw, "history": hist, "numSteps": steps, "final": state_to_json(m)})
    path = os.path.join(ROOT, "tests", "fixtures", "train", "trainer.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f)
    print(f"wrote {path}")


# ---------------------------------------------------------------- recipes

def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(d, split):
    pre = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(d, f"{pre}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(d, f"{pre}-labels-idx1-ubyte.gz")).astype(np.int64)
    return torch.from_numpy(x[:, None]), torch.from_numpy(y)


def build(model, hidden, dropout):
    """The same architectures as src/train/models.ts."""
    if model == "mlp":
        layers, prev = [nn.Flatten()], 784
        for h in hidden:
            layers += [nn.Linear(prev, h), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout > 0 else [])
            prev = h
        return nn.Sequential(*layers, nn.Linear(prev, 10))
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
            *([nn.Dropout(dropout)] if dropout > 0 else []), nn.Linear(128, 10))
    raise SystemExit(f"unknown model {model}")


def run(a):
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    xtr, ytr = load_split(a.data_dir, "train")
    xte, yte = load_split(a.data_dir, "test")
    if a.limit_train:
        xtr, ytr = xtr[:a.limit_train], ytr[:a.limit_train]
    if a.limit_test:
        xte, yte = xte[:a.limit_test], yte[:a.limit_test]
    mean, std = xtr.mean().item(), xtr.std(unbiased=False).item()
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
    model = build(a.model, [int(h) for h in a.hidden.split(",")], a.dropout)
    lr = a.lr
    opt = {
        "sgd": lambda: torch.optim.SGD(model.parameters(), lr=lr, weight_decay=a.weight_decay),
        "momentum": lambda: torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=a.weight_decay),
        "rmsprop": lambda: torch.optim.RMSprop(model.parameters(), lr=lr, weight_decay=a.weight_decay),
        "adam": lambda: torch.optim.Adam(model.parameters(), lr=lr, weight_decay=a.weight_decay),
    }[a.optimizer]()
    n = len(ytr)
    hist = {"trainLoss": [], "trainAcc": [], "testLoss": [], "testAcc": [], "epochTimeS": []}
    t0 = time.perf_counter()
    for _ in range(a.epochs):
        te = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        ls, cs = 0.0, 0
        for i in range(0, n, a.batch_size):
            idx = perm[i:i + a.batch_size]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad()
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            ls += loss.item() * len(idx)
            cs += (out.argmax(1) == yb).sum().item()
        model.eval()
        tl, tc = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(yte), 1000):
                out = model(xte[i:i + 1000])
                tl += F.cross_entropy(out, yte[i:i + 1000], reduction="sum").item()
                tc += (out.argmax(1) == yte[i:i + 1000]).sum().item()
        hist["trainLoss"].append(ls / n)
        hist["trainAcc"].append(cs / n)
        hist["testLoss"].append(tl / len(yte))
        hist["testAcc"].append(tc / len(yte))
        hist["epochTimeS"].append(time.perf_counter() - te)
        print(f"epoch {len(hist['testAcc'])}: train loss {ls / n:.4f} acc {100 * cs / n:.2f}% | test loss {tl / len(yte):.4f} acc {100 * tc / len(yte):.2f}%", file=sys.stderr)
    summary = {"framework": f"pytorch {torch.__version__}", "threads": a.threads, "config": vars(a), "wallTimeS": time.perf_counter() - t0,
               "finalTestAcc": hist["testAcc"][-1], "bestTestAcc": max(hist["testAcc"]), **hist}
    print(json.dumps(summary))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fixtures")
    r = sub.add_parser("run")
    r.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    r.add_argument("--optimizer", choices=["sgd", "momentum", "rmsprop", "adam"], default="adam")
    r.add_argument("--lr", type=float, default=0.001)
    r.add_argument("--batch-size", type=int, default=64)
    r.add_argument("--epochs", type=int, default=5)
    r.add_argument("--weight-decay", type=float, default=0.0)
    r.add_argument("--dropout", type=float, default=0.0)
    r.add_argument("--hidden", default="256,128")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--limit-train", type=int)
    r.add_argument("--limit-test", type=int)
    r.add_argument("--data-dir", default=os.path.join(ROOT, "assets", "fashion-mnist-subset"))
    a = p.parse_args()
    if a.cmd == "fixtures":
        fixtures()
    else:
        run(a)


if __name__ == "__main__":
    main()
