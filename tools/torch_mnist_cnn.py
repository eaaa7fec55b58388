#!/usr/bin/python3
"""Dev script for the transfer-learning proof in docs/interop.md: trains tsgrad's zoo `cnn`
(the same nn.Sequential, so the state-dict names agree) on MNIST with Debian's PyTorch and saves
its state dict with torch.save, for `tsgrad finetune --arch cnn --weights OUT.pth`.

    /usr/bin/python3 tools/torch_mnist_cnn.py DATA_DIR OUT.pth [--epochs 1] [--threads 2] [--seed 0] [--limit-train 60000]

DATA_DIR holds mnist/train-images-idx3-ubyte.gz etc. (e.g. ../shared/datasets).
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def cnn():
    # tsgrad's buildCnn([1, 28, 28], 10): names 0, 3, 7, 9.
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('data_dir')
    ap.add_argument('out')
    ap.add_argument('--epochs', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--limit-train', type=int, default=60000, help='train on the first N images')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d = os.path.join(a.data_dir, 'mnist')
    x = torch.from_numpy(read_idx(os.path.join(d, 'train-images-idx3-ubyte.gz')).astype(np.float32) / 255).unsqueeze(1)
    y = torch.from_numpy(read_idx(os.path.join(d, 'train-labels-idx1-ubyte.gz')).astype(np.int64))
    x, y = x[:a.limit_train], y[:a.limit_train]
    xt = torch.from_numpy(read_idx(os.path.join(d, 't10k-images-idx3-ubyte.gz')).astype(np.float32) / 255).unsqueeze(1)
    yt = torch.from_numpy(read_idx(os.path.join(d, 't10k-labels-idx1-ubyte.gz')).astype(np.int64))
    m = cnn()
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    t0 = time.time()
    for epoch in range(a.epochs):
        m.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            loss = nn.functional.cross_entropy(m(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            acc = (m(xt).argmax(1) == yt).float().mean().item()
        print(f'epoch {epoch + 1}: MNIST test accuracy {100 * acc:.2f}% ({time.time() - t0:.0f} s, torch {torch.__version__}, {a.threads} threads)')
    torch.save(m.state_dict(), a.out)
    print('saved', a.out)


if __name__ == '__main__':
    main()
