#!/usr/bin/env python3
"""Builds the tsgrad models (src/models) in PyTorch and writes their parameter names, shapes and counts.

Run: /usr/bin/python3 tools/gen_model_fixtures.py   (PyTorch 1.13, CPU)
Writes tests/fixtures/models/models.json.

  /usr/bin/python3 tools/gen_model_fixtures.py train-convnet DATA_DIR [--subset-train N] [--subset-test N]
      [--epochs E] [--bs B] [--lr LR] [--seed S] [--threads T]
trains the same ConvNet on Fashion-MNIST padded to 32x32 with the recipe of `tsgrad run-exp --model
convnet` (the first N images of each split, Adam, cross-entropy, shuffled batches) and prints the
per-epoch accuracies, for the comparison in docs/experiments.md. The PyTorch classes below are the reference definitions of
the architectures; src/models mirrors them module for module so namedParameters() gives the same
dotted names in the same order.
"""
import json
import math
import os

import torch
from torch import nn

ACTS = {'relu': nn.ReLU, 'lrelu': lambda: nn.LeakyReLU(0.01), 'elu': nn.ELU, 'tanh': nn.Tanh}
POOLS = {'max': lambda: nn.MaxPool2d(2), 'avg': lambda: nn.AvgPool2d(2)}


def head(in_features, hidden_dims, out_classes, act):
    layers, prev = [], in_features
    for h in hidden_dims:
        layers += [nn.Linear(prev, h), ACTS[act]()]
        prev = h
    layers.append(nn.Linear(prev, out_classes))
    return nn.Sequential(*layers)


class ConvClassifier(nn.Module):
    """[(CONV -> ACT) x P -> POOL] x (N/P), leftover convs without pool, then (FC -> ACT) x M -> FC."""

    def __init__(self, in_size, out_classes, channels, pool_every, hidden_dims, activation='relu', pooling='max'):
        super().__init__()
        c, h, w = in_size
        layers, prev = [], c
        for i, ch in enumerate(channels):
            layers += [nn.Conv2d(prev, ch, 3, padding=1), ACTS[activation]()]
            prev = ch
            if (i + 1) % pool_every == 0:
                layers.append(POOLS[pooling]())
                h, w = h // 2, w // 2
        self.features = nn.Sequential(*layers)
        self.classifier = head(prev * h * w, hidden_dims, out_classes, activation)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class ResidualBlock(nn.Module):
    """relu(main(x) + shortcut(x)); main: conv [-> dropout2d] [-> bn] -> act per conv except the last."""

    def __init__(self, in_channels, channels, kernel_sizes, batchnorm=False, dropout=0.0, activation='relu'):
        super().__init__()
        layers, prev = [], in_channels
        for i, (ch, k) in enumerate(zip(channels, kernel_sizes)):
            layers.append(nn.Conv2d(prev, ch, k, padding=k // 2))
            if i < len(channels) - 1:
                if dropout > 0:
                    layers.append(nn.Dropout2d(dropout))
                if batchnorm:
                    layers.append(nn.BatchNorm2d(ch))
                layers.append(ACTS[activation]())
            prev = ch
        self.main = nn.Sequential(*layers)
        self.shortcut = nn.Sequential() if in_channels == prev else nn.Sequential(nn.Conv2d(in_channels, prev, 1, bias=False))
        self.act = ACTS[activation]()

    def forward(self, x):
        return self.act(self.main(x) + self.shortcut(x))


class ResidualBottleneckBlock(ResidualBlock):
    """1x1 projection down to inner[0], the inner convs, 1x1 projection up to in_out."""

    def __init__(self, in_out_channels, inner_channels, inner_kernel_sizes, **kw):
        super().__init__(in_out_channels, [inner_channels[0], *inner_channels, in_out_channels], [1, *inner_kernel_sizes, 1], **kw)


class ResNetClassifier(nn.Module):
    """ConvClassifier's pattern with every P convs grouped in a residual block, a pool after each full block."""

    def __init__(self, in_size, out_classes, channels, pool_every, hidden_dims, batchnorm=False, dropout=0.0, activation='relu', pooling='max', bottleneck=False):
        super().__init__()
        c, h, w = in_size
        layers, prev = [], c
        for start in range(0, len(channels), pool_every):
            group = channels[start:start + pool_every]
            if bottleneck and prev == group[-1] and len(group) >= 3:
                inner = [max(1, group[-1] // 4)] * (len(group) - 2)
                layers.append(ResidualBottleneckBlock(prev, inner, [3] * len(inner), batchnorm=batchnorm, dropout=dropout, activation=activation))
            else:
                layers.append(ResidualBlock(prev, group, [3] * len(group), batchnorm=batchnorm, dropout=dropout, activation=activation))
            prev = group[-1]
            if len(group) == pool_every:
                layers.append(POOLS[pooling]())
                h, w = h // 2, w // 2
        self.features = nn.Sequential(*layers)
        self.classifier = head(prev * h * w, hidden_dims, out_classes, activation)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class PreAct(nn.Module):
    """x + conv3x3(relu(bn(x))), channels unchanged."""

    def __init__(self, ch):
        super().__init__()
        self.bn = nn.BatchNorm2d(ch)
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return x + self.conv(torch.relu(self.bn(x)))


class ConvNet(nn.Module):
    """The pre-activation VGG ConvNet of the benchmark issue (W5), for 32x32 inputs."""

    def __init__(self, in_channels=3, num_classes=10):
        super().__init__()
        self.conv0 = nn.Conv2d(in_channels, 64, 3, padding=1)
        self.preact1 = PreAct(64)
        self.conv1 = nn.Conv2d(64, 128, 1)
        self.maxpool1 = nn.MaxPool2d(3, 2, 1)
        self.preact2a = PreAct(128)
        self.preact2b = PreAct(128)
        self.conv2 = nn.Conv2d(128, 256, 1)
        self.maxpool2 = nn.MaxPool2d(3, 2, 1)
        self.preact3a = PreAct(256)
        self.preact3b = PreAct(256)
        self.conv3 = nn.Conv2d(256, 512, 1)
        self.maxpool3 = nn.MaxPool2d(3, 2, 1)
        self.preact4a = PreAct(512)
        self.preact4b = PreAct(512)
        self.maxpool4 = nn.MaxPool2d(3, 2, 1)
        self.preact5a = PreAct(512)
        self.preact5b = PreAct(512)
        self.maxpool5 = nn.MaxPool2d(3, 2, 1)
        self.bn = nn.BatchNorm2d(512)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool1(self.conv1(self.preact1(self.conv0(x))))
        x = self.maxpool2(self.conv2(self.preact2b(self.preact2a(x))))
        x = self.maxpool3(self.conv3(self.preact3b(self.preact3a(x))))
        x = self.maxpool4(self.preact4b(self.preact4a(x)))
        x = self.maxpool5(self.preact5b(self.preact5a(x)))
        return self.fc(torch.relu(self.bn(x)).flatten(1))


class CustomBlock(nn.Module):
    """Custom net's block: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); the shortcut is the
    identity, or conv1x1 (no bias) -> bn when the channels change."""

    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = nn.Sequential() if in_ch == out_ch else nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, bias=False), nn.BatchNorm2d(out_ch))

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + self.shortcut(x))


class CustomNet(nn.Module):
    """Stem (conv3x3 no bias -> bn -> relu), one stage per K entry (ceil(L/2) post-activation residual
    blocks, then a 2x2 max-pool), then flatten -> dropout -> hidden FCs -> FC."""

    def __init__(self, in_size, out_classes, K, L, hidden_dims, dropout=0.0):
        super().__init__()
        c, h, w = in_size
        self.stem = nn.Sequential(nn.Conv2d(c, K[0], 3, padding=1, bias=False), nn.BatchNorm2d(K[0]), nn.ReLU())
        stages, prev = [], K[0]
        for k in K:
            blocks = []
            for _ in range(max(1, math.ceil(L / 2))):
                blocks.append(CustomBlock(prev, k))
                prev = k
            blocks.append(nn.MaxPool2d(2))
            stages.append(nn.Sequential(*blocks))
            h, w = h // 2, w // 2
        self.stages = nn.Sequential(*stages)
        self.drop = nn.Dropout(dropout)
        self.classifier = head(prev * h * w, hidden_dims, out_classes, 'relu')

    def forward(self, x):
        x = self.stages(self.stem(x)).flatten(1)
        return self.classifier(self.drop(x))


def expand(K, L):
    return [k for k in K for _ in range(L)]


CASES = [
    ('cnn_fmnist_L2_K32', 'cnn', dict(inSize=[1, 28, 28], outClasses=10, channels=expand([32], 2), poolEvery=2, hiddenDims=[100])),
    ('cnn_cifar_L2_K64-128-256', 'cnn', dict(inSize=[3, 32, 32], outClasses=10, channels=expand([64, 128, 256], 2), poolEvery=2, hiddenDims=[100, 100])),
    ('cnn_leftover_avg_lrelu', 'cnn', dict(inSize=[1, 28, 28], outClasses=10, channels=[16, 16, 8], poolEvery=2, hiddenDims=[], activation='lrelu', pooling='avg')),
    ('resblock_proj_bn_dropout', 'resblock', dict(inChannels=3, channels=[32, 64], kernelSizes=[3, 5], batchnorm=True, dropout=0.2)),
    ('resblock_identity', 'resblock', dict(inChannels=64, channels=[64, 64], kernelSizes=[3, 3])),
    ('bottleneck_256', 'bottleneck', dict(inOutChannels=256, innerChannels=[64, 64], innerKernelSizes=[3, 3], batchnorm=True)),
    ('resnet_fmnist_L8_K32', 'resnet', dict(inSize=[1, 28, 28], outClasses=10, channels=expand([32], 8), poolEvery=4, hiddenDims=[100], batchnorm=True)),
    ('resnet_L2_K64-128-256', 'resnet', dict(inSize=[3, 32, 32], outClasses=10, channels=expand([64, 128, 256], 2), poolEvery=2, hiddenDims=[100], batchnorm=True, dropout=0.1)),
    ('resnet_bottleneck_L6_K64', 'resnet', dict(inSize=[1, 28, 28], outClasses=10, channels=expand([64], 6), poolEvery=3, hiddenDims=[100], batchnorm=True, bottleneck=True)),
    ('convnet_rgb', 'convnet', dict(inChannels=3, numClasses=10)),
    ('convnet_gray', 'convnet', dict(inChannels=1, numClasses=10)),
    ('custom_L3_K32-64-128', 'custom', dict(inSize=[1, 28, 28], outClasses=10, K=[32, 64, 128], L=3, hiddenDims=[100], dropout=0.1)),
    ('custom_L2_K16-32', 'custom', dict(inSize=[3, 32, 32], outClasses=10, K=[16, 32], L=2, hiddenDims=[], dropout=0.0)),
]


def build(kind, a):
    opt = lambda *keys: {k: a[k] for k in keys if k in a}  # noqa: E731
    if kind == 'cnn':
        return ConvClassifier(a['inSize'], a['outClasses'], a['channels'], a['poolEvery'], a['hiddenDims'], **opt('activation', 'pooling'))
    if kind == 'resblock':
        return ResidualBlock(a['inChannels'], a['channels'], a['kernelSizes'], **opt('batchnorm', 'dropout'))
    if kind == 'bottleneck':
        return ResidualBottleneckBlock(a['inOutChannels'], a['innerChannels'], a['innerKernelSizes'], **opt('batchnorm', 'dropout'))
    if kind == 'resnet':
        return ResNetClassifier(a['inSize'], a['outClasses'], a['channels'], a['poolEvery'], a['hiddenDims'], **opt('batchnorm', 'dropout', 'bottleneck'))
    if kind == 'convnet':
        return ConvNet(a['inChannels'], a['numClasses'])
    if kind == 'custom':
        return CustomNet(a['inSize'], a['outClasses'], a['K'], a['L'], a['hiddenDims'], a['dropout'])
    raise ValueError(kind)


VALUE_CASES = [
    ('resblock_bn_eval', 'resblock', dict(inChannels=2, channels=[3, 4], kernelSizes=[3, 5], batchnorm=True), [2, 2, 5, 5]),
    ('bottleneck_eval', 'bottleneck', dict(inOutChannels=4, innerChannels=[2], innerKernelSizes=[3], batchnorm=True), [2, 4, 4, 4]),
    ('cnn_tiny', 'cnn', dict(inSize=[1, 8, 8], outClasses=3, channels=[3, 2, 2], poolEvery=2, hiddenDims=[5], activation='elu', pooling='avg'), [2, 1, 8, 8]),
    ('resnet_tiny_eval', 'resnet', dict(inSize=[1, 8, 8], outClasses=3, channels=[2, 2, 3], poolEvery=2, hiddenDims=[4], batchnorm=True), [2, 1, 8, 8]),
    ('custom_tiny_eval', 'custom', dict(inSize=[1, 8, 8], outClasses=3, K=[2, 3], L=3, hiddenDims=[4], dropout=0.1), [2, 1, 8, 8]),
]


def forward_values():
    """Small models in eval mode with seeded weights and randomised batch-norm statistics: the full
    state dict, an input and PyTorch's output (float64), for forward-value tests."""
    out = []
    for i, (name, kind, args, shape) in enumerate(VALUE_CASES):
        torch.manual_seed(100 + i)
        m = build(kind, args).double()
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.data.uniform_(0.5, 1.5)
                mod.bias.data.uniform_(-0.5, 0.5)
        m.eval()
        x = torch.randn(*shape, dtype=torch.float64)
        with torch.no_grad():
            y = m(x)
        state = {k: v.tolist() for k, v in m.state_dict().items() if not k.endswith('num_batches_tracked')}
        out.append({'name': name, 'kind': kind, 'args': args, 'state': state, 'input': x.tolist(), 'output': y.tolist()})
    return out


def main():
    out = []
    for name, kind, args in CASES:
        m = build(kind, args).eval()
        if kind in ('resblock', 'bottleneck'):
            x = torch.zeros(2, args.get('inChannels', args.get('inOutChannels')), 8, 8)
        elif kind == 'convnet':
            x = torch.zeros(2, args['inChannels'], 32, 32)
        else:
            x = torch.zeros(2, *args['inSize'])
        with torch.no_grad():
            y = m(x)
        out.append({
            'name': name,
            'kind': kind,
            'args': args,
            'numParams': sum(p.numel() for p in m.parameters()),
            'params': [[n, list(p.shape)] for n, p in m.named_parameters()],
            'buffers': [[n, list(b.shape)] for n, b in m.named_buffers()],
            'inputShape': list(x.shape),
            'outputShape': list(y.shape),
        })
    out_values = forward_values()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'models', 'values.json')
    with open(path + '.tmp', 'w') as f:
        json.dump({'generator': 'tools/gen_model_fixtures.py', 'torch': torch.__version__, 'cases': out_values}, f)
        f.write('\n')
    os.replace(path + '.tmp', path)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'models', 'models.json')
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump({'generator': 'tools/gen_model_fixtures.py', 'torch': torch.__version__, 'cases': out}, f, indent=1)
        f.write('\n')
    os.replace(tmp, path)
    for c in out:
        print(f"{c['name']:32s} {c['numParams']:>10d} params  out {c['outputShape']}")


def read_idx(path):
    import gzip
    import numpy as np
    with gzip.open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def train_convnet(argv):
    import argparse
    import time
    ap = argparse.ArgumentParser(prog='gen_model_fixtures.py train-convnet')
    ap.add_argument('data_dir')
    ap.add_argument('--subset-train', type=int, default=2000)
    ap.add_argument('--subset-test', type=int, default=1000)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--bs-test', type=int, default=200)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    d = os.path.join(a.data_dir, 'fashion-mnist')

    def load(prefix, n):
        x = torch.tensor(read_idx(os.path.join(d, f'{prefix}-images-idx3-ubyte.gz'))[:n].copy(), dtype=torch.float32) / 255
        y = torch.tensor(read_idx(os.path.join(d, f'{prefix}-labels-idx1-ubyte.gz'))[:n].copy(), dtype=torch.long)
        return nn.functional.pad(x.unsqueeze(1), (2, 2, 2, 2)), y

    xtr, ytr = load('train', a.subset_train)
    xte, yte = load('t10k', a.subset_test)
    model = ConvNet(1, 10)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    loss_fn = nn.CrossEntropyLoss()
    t0 = time.time()
    for epoch in range(1, a.epochs + 1):
        model.train()
        perm = torch.randperm(len(ytr))
        tl, tc = 0.0, 0
        for i in range(0, len(ytr), a.bs):
            idx = perm[i:i + a.bs]
            opt.zero_grad()
            out = model(xtr[idx])
            loss = loss_fn(out, ytr[idx])
            loss.backward()
            opt.step()
            tl += loss.item() * len(idx)
            tc += (out.argmax(1) == ytr[idx]).sum().item()
        model.eval()
        with torch.no_grad():
            vl, vc = 0.0, 0
            for i in range(0, len(yte), a.bs_test):
                out = model(xte[i:i + a.bs_test])
                vl += loss_fn(out, yte[i:i + a.bs_test]).item() * len(out)
                vc += (out.argmax(1) == yte[i:i + a.bs_test]).sum().item()
        print(f'epoch {epoch}: train loss {tl / len(ytr):.4f} acc {100 * tc / len(ytr):.2f}%, '
              f'test loss {vl / len(yte):.4f} acc {100 * vc / len(yte):.2f}%  ({time.time() - t0:.0f} s)', flush=True)


if __name__ == '__main__':
    import sys
    if len(sys.argv) > 1 and sys.argv[1] == 'train-convnet':
        train_convnet(sys.argv[2:])
    else:
        main()
