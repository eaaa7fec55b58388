#!/usr/bin/env python3
"""PyTorch running the recipe of `tsgrad train-mlp-layers` on the same data,
for a side-by-side comparison of accuracy and wall time (a dev tool, not a
dependency). Same model (Linear -> ELU -> ... -> Linear, PyTorch default
init), plain SGD, softmax cross-entropy (mean), random batches drawn without
replacement from a fresh permutation each epoch, whole-test-set evaluation at
step 0, every --eval-freq steps and at the end. Images are the IDX bytes / 255.

Usage: /usr/bin/python3 tools/torch_mlp_layers.py --dataset fashion-mnist \
         --data-dir ../shared/datasets [--threads N] [--out results.json]
"""
import argparse, gzip, json, os, struct, sys, time
import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(root, name, split):
    prefix = 'train' if split == 'train' else 't10k'
    d = os.path.join(root, name)
    x = read_idx(os.path.join(d, f'{prefix}-images-idx3-ubyte.gz'))
    y = read_idx(os.path.join(d, f'{prefix}-labels-idx1-ubyte.gz'))
    return torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0), torch.from_numpy(y.astype(np.int64))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dnn-hidden-units', default='100')
    ap.add_argument('--learning-rate', type=float, default=2e-3)
    ap.add_argument('--max-steps', type=int, default=1500)
    ap.add_argument('--batch-size', type=int, default=200)
    ap.add_argument('--eval-freq', type=int, default=100)
    ap.add_argument('--dataset', default='fashion-mnist', choices=['fashion-mnist', 'mnist'])
    ap.add_argument('--data-dir', default='../shared/datasets')
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (0: PyTorch default)')
    ap.add_argument('--out', default='')
    a = ap.parse_args()
    t0 = time.perf_counter()
    c0 = time.process_time()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr = load(a.data_dir, a.dataset, 'train')
    xte, yte = load(a.data_dir, a.dataset, 'test')
    hidden = [int(u) for u in a.dnn_hidden_units.split(',') if u.strip()]
    layers, prev = [], xtr.shape[1]
    for h in hidden:
        layers += [torch.nn.Linear(prev, h), torch.nn.ELU()]
        prev = h
    layers.append(torch.nn.Linear(prev, 10))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=a.learning_rate)
    ce = torch.nn.CrossEntropyLoss()

    def evaluate():
        with torch.no_grad():
            logits = model(xte)
            return ce(logits, yte).item(), (logits.argmax(1) == yte).float().mean().item()

    evals, train_loss = [], []
    tt = time.perf_counter()

    def log_eval(step):
        loss, acc = evaluate()
        evals.append({'step': step, 'testLoss': loss, 'testAccuracy': acc, 'seconds': time.perf_counter() - tt})
        print(f'step {step}/{a.max_steps}  test loss {loss:.4f}  test acc {100 * acc:.2f}%', file=sys.stderr)

    log_eval(0)
    g = torch.Generator().manual_seed(a.seed + 1)
    perm, pos, n = torch.randperm(len(xtr), generator=g), 0, len(xtr)
    for step in range(1, a.max_steps + 1):
        if pos + a.batch_size > n:
            perm, pos = torch.randperm(n, generator=g), 0
        idx = perm[pos:pos + a.batch_size]
        pos += a.batch_size
        loss = ce(model(xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        train_loss.append(loss.item())
        if step % a.eval_freq == 0 or step == a.max_steps:
            log_eval(step)
    res = {
        'tool': 'torch_mlp_layers.py', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'config': vars(a), 'final': evals[-1], 'trainSeconds': time.perf_counter() - tt,
        'wallSeconds': time.perf_counter() - t0, 'cpuSeconds': time.process_time() - c0, 'evals': evals, 'trainLoss': train_loss,
    }
    if a.out:
        tmp = a.out + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(res, f, indent=1)
        os.replace(tmp, a.out)
    print(json.dumps({'final': res['final'], 'wallSeconds': res['wallSeconds'], 'cpuSeconds': res['cpuSeconds'], 'threads': res['threads']}))


if __name__ == '__main__':
    main()
