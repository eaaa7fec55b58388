#!/usr/bin/env python3
"""Writes tests/fixtures/bench/workloads.json: PyTorch's numbers for the
benchmark workloads, which tests/bench/workloads.test.ts compares with the
tsgrad workloads of bench/tsgrad/ (so the benchmark times the right thing).

Weights and data come from an integer hash of (seed, element index), mirrored
bit for bit by bench/tsgrad/init.ts, so both sides start from identical
float32 values without committing them. The models are built from torch.nn
and trained with torch.optim: an implementation independent of the
hand-written tsgrad code under test. PyTorch computes in float64 from the
float32 starting values, so the reference is free of float32 rounding; the
gradients that are zero in exact arithmetic (W5's conv biases: every layer
between them and a BatchNorm commutes with a per-channel shift, which the
BatchNorm removes) are marked `zero`, since in float32 they are pure noise.

Run: /usr/bin/python3 bench/make_check_fixtures.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import net_for, optimizer_for  # noqa: E402  (same modules as the benchmark)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'bench', 'workloads.json')

# Small configurations, so the test is fast on the reference backend too.
CONFIGS = [
    {'group': 'W2', 'batch': 200, 'image': 0, 'steps': 4},
    {'group': 'W3', 'batch': 8, 'image': 0, 'steps': 4},
    {'group': 'W4', 'batch': 4, 'image': 28, 'steps': 4},
    {'group': 'W5', 'batch': 4, 'image': 8, 'steps': 1},
]
DATA_SEED = 1000
LABEL_SEED = 2000
SAMPLES = 8  # gradient entries recorded per parameter


def hash_uniform(seed, n):
    """hashUniform(seed, i) of bench/tsgrad/init.ts for i in 0..n-1, as float64."""
    with np.errstate(over='ignore'):
        i = np.arange(n, dtype=np.uint32)
        h = (i * np.uint32(0x9E3779B1)) ^ (np.uint32(seed + 1) * np.uint32(0x85EBCA77))
        h ^= h >> np.uint32(16)
        h = h * np.uint32(0x7FEB352D)
        h ^= h >> np.uint32(15)
        h = h * np.uint32(0x846CA68B)
        h ^= h >> np.uint32(16)
    return (h >> np.uint32(8)).astype(np.float64) / 16777216.0


def from_uniform(shape, lo, hi, seed):
    n = int(np.prod(shape))
    return torch.from_numpy((lo + (hi - lo) * hash_uniform(seed, n)).astype(np.float32).reshape(shape))


def hash_init(model):
    """Initial values as hashInit (bench/tsgrad/init.ts) makes them, by parameter position."""
    index = 0
    for module in model.modules():
        params = list(module.named_parameters(recurse=False))
        if not params:
            continue
        is_bn = isinstance(module, torch.nn.BatchNorm2d)
        weight = dict(params)['weight']
        fan_in = weight.shape[1] * int(np.prod(weight.shape[2:])) if not is_bn else weight.shape[0]
        for name, p in params:
            if is_bn:
                lo, hi = (0.5, 1.5) if name == 'weight' else (-0.5, 0.5)
            else:
                b = 1 / math.sqrt(fan_in)
                lo, hi = -b, b
            with torch.no_grad():
                p.copy_(from_uniform(tuple(p.shape), lo, hi, index))
            index += 1


def input_shape(group, batch, image):
    if group in ('W2', 'W3'):
        return (batch, 3072)
    return (batch, 1 if group == 'W4' else 3, image, image)


def grad_stats(g, scale):
    flat = g.detach().double().flatten()
    idx = [int(k * (flat.numel() - 1) / (SAMPLES - 1)) for k in range(SAMPLES)] if flat.numel() > 1 else [0]
    max_abs = flat.abs().max().item()
    return {'sum': flat.sum().item(), 'l1': flat.abs().sum().item(), 'maxAbs': max_abs,
            'zero': max_abs < 1e-9 * scale, 'samples': [[i, flat[i].item()] for i in idx]}


def run(cfg):
    group, batch = cfg['group'], cfg['batch']
    model = net_for(group)
    hash_init(model)
    model.double()
    shape = input_shape(group, batch, cfg['image'])
    x = from_uniform(shape, 0.0, 1.0, DATA_SEED).double()
    y = torch.from_numpy(np.floor(hash_uniform(LABEL_SEED, batch) * 10).astype(np.int64))
    out = {**cfg, 'params': [{'name': n, 'shape': list(p.shape)} for n, p in model.named_parameters()]}
    if group == 'W5':
        model.eval()
        with torch.no_grad():
            out['inferLogits'] = model(x).flatten().tolist()
    model.train()
    initial = [p.detach().clone() for p in model.parameters()]
    opt = optimizer_for(group, model.parameters())
    losses = []
    for step in range(cfg['steps']):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        if step == 0:
            scale = max(p.grad.abs().max().item() for p in model.parameters())
            out['grad0'] = [grad_stats(p.grad, scale) for p in model.parameters()]
        losses.append(loss.item())
        opt.step()
    out['losses'] = losses
    with torch.no_grad():  # the loss after the last update, still with batch statistics
        out['finalLoss'] = F.cross_entropy(model(x), y).item()
    out['deltaL1'] = [(p.detach().double() - p0.double()).abs().sum().item() for p, p0 in zip(model.parameters(), initial)]
    return out


def main():
    torch.set_num_threads(1)
    result = {'generator': 'bench/make_check_fixtures.py', 'torch': torch.__version__, 'dtype': 'float64',
              'dataSeed': DATA_SEED, 'labelSeed': LABEL_SEED, 'workloads': [run(c) for c in CONFIGS]}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    os.replace(tmp, OUT)
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
