#!/usr/bin/python3
"""Writes tests/fixtures/nn/*: PyTorch reference values for tsgrad's nn, optim and io.

Run with /usr/bin/python3 (PyTorch 1.13, CPU). Everything is float64 so the
comparisons in tests/nn, tests/optim and tests/io can be tight. Tensors are
stored as {"shape": [...], "data": [flat values]}.

  layers.json   each layer's parameters (as a PyTorch state dict), input,
                output, and the gradients of sum(output * w) for a fixed
                random w with respect to the input and every parameter;
                BatchNorm also after several training steps (running stats)
                and in eval mode.
  losses.json   every loss and option, with outputs and input gradients.
  models.json   composite models: named parameters (names, shapes, counts),
                state-dict keys, and a forward/backward with given weights.
  optim.json    optimizer trajectories (parameters after each step) on a
                fixed problem, and scheduler learning-rate sequences.
  torch_written.safetensors + safetensors.json
                a safetensors file written here by hand (struct + json, per
                the format's spec; the safetensors package is not installed)
                and the values it holds.

Usage: /usr/bin/python3 tools/gen_nn_fixtures.py [outdir]
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(4321)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'nn')


def randn(*shape):
    return torch.randn(shape, generator=GEN)


def enc(t):
    t = t.detach()
    if t.dtype == torch.bool:
        return {'dtype': 'bool', 'shape': list(t.shape), 'data': [bool(v) for v in t.reshape(-1).tolist()]}
    if t.dtype in (torch.int32, torch.int64):
        return {'dtype': 'int32', 'shape': list(t.shape), 'data': [int(v) for v in t.reshape(-1).tolist()]}
    return {'dtype': 'float64', 'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}


def state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def randomize(m):
    """Non-default values for every parameter (so weight vs bias mix-ups show)."""
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(randn(*p.shape) * 0.5)
    return m


def run_layer(m, x, train=True):
    """Forward, then backward of sum(y * w); returns input, output, w and grads."""
    m.train(train)
    x = x.clone().requires_grad_(True)
    y = m(x)
    w = randn(*y.shape)
    m.zero_grad()
    (y * w).sum().backward()
    grads = {'input': enc(x.grad)}
    for n, p in m.named_parameters():
        grads[n] = enc(p.grad)
    return {'input': enc(x), 'output': enc(y), 'w': enc(w), 'grads': grads}


def layer_case(name, ctor, m, x, train=True, **extra):
    randomize(m)
    params = state(m)
    case = {'name': name, 'ctor': ctor, 'params': params, 'train': train}
    case.update(run_layer(m, x, train))
    case.update(extra)
    return case


def layers():
    cases = []
    cases.append(layer_case('linear', {'type': 'Linear', 'args': [5, 3]}, nn.Linear(5, 3), randn(4, 5)))
    cases.append(layer_case('linear_3d_nobias', {'type': 'Linear', 'args': [5, 2], 'opts': {'bias': False}}, nn.Linear(5, 2, bias=False), randn(2, 3, 5)))
    cases.append(layer_case('conv2d_pad1', {'type': 'Conv2d', 'args': [2, 3, 3], 'opts': {'padding': 1}}, nn.Conv2d(2, 3, 3, padding=1), randn(2, 2, 5, 5)))
    cases.append(layer_case('conv2d_stride2_groups2', {'type': 'Conv2d', 'args': [4, 6, [3, 2]], 'opts': {'stride': 2, 'padding': [1, 0], 'groups': 2}},
                            nn.Conv2d(4, 6, (3, 2), stride=2, padding=(1, 0), groups=2), randn(2, 4, 7, 6)))
    cases.append(layer_case('conv2d_dilation_nobias', {'type': 'Conv2d', 'args': [1, 2, 3], 'opts': {'dilation': 2, 'bias': False}},
                            nn.Conv2d(1, 2, 3, dilation=2, bias=False), randn(1, 1, 7, 7)))
    cases.append(layer_case('maxpool2d_2', {'type': 'MaxPool2d', 'args': [2]}, nn.MaxPool2d(2), randn(2, 2, 4, 6)))
    cases.append(layer_case('maxpool2d_3_s2_p1', {'type': 'MaxPool2d', 'args': [3], 'opts': {'stride': 2, 'padding': 1}}, nn.MaxPool2d(3, 2, 1), randn(1, 2, 7, 7)))
    cases.append(layer_case('avgpool2d_2', {'type': 'AvgPool2d', 'args': [2]}, nn.AvgPool2d(2), randn(2, 2, 4, 6)))
    cases.append(layer_case('avgpool2d_3_s2_p1', {'type': 'AvgPool2d', 'args': [3], 'opts': {'stride': 2, 'padding': 1}}, nn.AvgPool2d(3, 2, 1), randn(1, 2, 7, 7)))
    cases.append(layer_case('adaptiveavg_1', {'type': 'AdaptiveAvgPool2d', 'args': [1]}, nn.AdaptiveAvgPool2d(1), randn(2, 3, 5, 4)))
    cases.append(layer_case('adaptiveavg_2x3_uneven', {'type': 'AdaptiveAvgPool2d', 'args': [[2, 3]]}, nn.AdaptiveAvgPool2d((2, 3)), randn(2, 2, 5, 7)))
    cases.append(layer_case('adaptiveavg_3_from_6', {'type': 'AdaptiveAvgPool2d', 'args': [3]}, nn.AdaptiveAvgPool2d(3), randn(1, 2, 6, 6)))
    cases.append(layer_case('adaptivemax_3_uneven', {'type': 'AdaptiveMaxPool2d', 'args': [3]}, nn.AdaptiveMaxPool2d(3), randn(1, 2, 7, 5)))
    cases.append(layer_case('conv1d', {'type': 'Conv1d', 'args': [3, 4, 3], 'opts': {'stride': 2, 'padding': 1}}, nn.Conv1d(3, 4, 3, stride=2, padding=1), randn(2, 3, 9)))
    cases.append(layer_case('conv1d_groups_dilation', {'type': 'Conv1d', 'args': [4, 2, 2], 'opts': {'groups': 2, 'dilation': 3, 'bias': False}},
                            nn.Conv1d(4, 2, 2, groups=2, dilation=3, bias=False), randn(1, 4, 8)))
    cases.append(layer_case('groupnorm', {'type': 'GroupNorm', 'args': [2, 6]}, nn.GroupNorm(2, 6), randn(3, 6, 2, 2) * 2 + 1))
    cases.append(layer_case('groupnorm_noaffine_1d', {'type': 'GroupNorm', 'args': [3, 3], 'opts': {'affine': False, 'eps': 1e-3}},
                            nn.GroupNorm(3, 3, eps=1e-3, affine=False), randn(2, 3, 5)))
    cases.append(layer_case('layernorm_last', {'type': 'LayerNorm', 'args': [4]}, nn.LayerNorm(4), randn(2, 3, 4)))
    cases.append(layer_case('layernorm_last2', {'type': 'LayerNorm', 'args': [[3, 4]]}, nn.LayerNorm((3, 4)), randn(2, 3, 4)))
    cases.append(layer_case('layernorm_noaffine', {'type': 'LayerNorm', 'args': [5], 'opts': {'elementwiseAffine': False, 'eps': 1e-3}},
                            nn.LayerNorm(5, eps=1e-3, elementwise_affine=False), randn(3, 5)))
    for name, ctor, m in [
        ('relu', {'type': 'ReLU', 'args': []}, nn.ReLU()),
        ('leakyrelu', {'type': 'LeakyReLU', 'args': [0.2]}, nn.LeakyReLU(0.2)),
        ('elu', {'type': 'ELU', 'args': [0.5]}, nn.ELU(0.5)),
        ('sigmoid', {'type': 'Sigmoid', 'args': []}, nn.Sigmoid()),
        ('tanh', {'type': 'Tanh', 'args': []}, nn.Tanh()),
        ('softplus', {'type': 'Softplus', 'args': []}, nn.Softplus()),
        ('silu', {'type': 'SiLU', 'args': []}, nn.SiLU()),
        ('gelu', {'type': 'GELU', 'args': []}, nn.GELU()),
        ('gelu_tanh', {'type': 'GELU', 'args': ['tanh']}, nn.GELU(approximate='tanh')),
        ('softmax', {'type': 'Softmax', 'args': [1]}, nn.Softmax(1)),
        ('logsoftmax', {'type': 'LogSoftmax', 'args': [-1]}, nn.LogSoftmax(-1)),
        ('flatten', {'type': 'Flatten', 'args': []}, nn.Flatten()),
    ]:
        x = randn(3, 4, 2) * 2
        x = x + 0.1 * torch.sign(x)  # keep away from the kinks at 0
        cases.append(layer_case(name, ctor, m, x))
    return cases


def batchnorm_cases():
    """Several training steps (running statistics), then the last step's grads, then eval."""
    cases = []
    for name, ctor, m, shape in [
        ('batchnorm2d', {'type': 'BatchNorm2d', 'args': [3]}, nn.BatchNorm2d(3), (4, 3, 3, 2)),
        ('batchnorm2d_mom_eps', {'type': 'BatchNorm2d', 'args': [2], 'opts': {'momentum': 0.3, 'eps': 1e-3}}, nn.BatchNorm2d(2, momentum=0.3, eps=1e-3), (3, 2, 2, 2)),
        ('batchnorm2d_cumulative', {'type': 'BatchNorm2d', 'args': [2], 'opts': {'momentum': None}}, nn.BatchNorm2d(2, momentum=None), (3, 2, 2, 2)),
        ('batchnorm1d_2d', {'type': 'BatchNorm1d', 'args': [4]}, nn.BatchNorm1d(4), (5, 4)),
        ('batchnorm1d_3d', {'type': 'BatchNorm1d', 'args': [3]}, nn.BatchNorm1d(3), (2, 3, 4)),
        ('batchnorm1d_noaffine', {'type': 'BatchNorm1d', 'args': [3], 'opts': {'affine': False}}, nn.BatchNorm1d(3, affine=False), (4, 3)),
        ('batchnorm2d_nostats', {'type': 'BatchNorm2d', 'args': [2], 'opts': {'trackRunningStats': False}}, nn.BatchNorm2d(2, track_running_stats=False), (3, 2, 2, 2)),
    ]:
        randomize(m)
        params = state(m)
        steps = []
        for _ in range(2):
            x = randn(*shape) * 2 + 1
            m.train()
            with torch.no_grad():
                m(x)
            steps.append(enc(x))
        train = run_layer(m, randn(*shape) * 2 + 1, True)
        after = state(m)
        ev = run_layer(m, randn(*shape), False)
        cases.append({'name': name, 'ctor': ctor, 'params': params, 'warmup': steps, 'train': train, 'stateAfter': after, 'eval': ev})
    return cases


def loss_case(name, fn, opts, x, target, reduction):
    x = x.clone().requires_grad_(True)
    y = fn(x, target)
    w = randn(*y.shape) if reduction == 'none' else torch.ones(())
    (y * w).sum().backward()
    return {'name': name, 'fn': opts['fn'], 'opts': opts.get('opts', {}), 'input': enc(x), 'target': enc(target),
            'output': enc(y), 'w': enc(w), 'grad': enc(x.grad)}


def losses():
    cases = []
    N, C = 5, 4
    logits = randn(N, C) * 2
    t = torch.tensor([0, 3, 1, 3, 2], dtype=torch.int64)
    t_ign = torch.tensor([0, -100, 1, 3, -100], dtype=torch.int64)
    t_ign7 = torch.tensor([0, 7, 1, 7, 2], dtype=torch.int64)
    cw = torch.tensor([0.2, 1.0, 2.5, 0.7])
    for red in ('mean', 'sum', 'none'):
        cases.append(loss_case(f'ce_{red}', lambda x, y, r=red: F.cross_entropy(x, y.long(), reduction=r), {'fn': 'crossEntropy', 'opts': {'reduction': red}}, logits, t.int(), red))
        cases.append(loss_case(f'ce_weight_{red}', lambda x, y, r=red: F.cross_entropy(x, y.long(), weight=cw, reduction=r),
                               {'fn': 'crossEntropy', 'opts': {'reduction': red, 'weight': enc(cw)}}, logits, t.int(), red))
        cases.append(loss_case(f'ce_ignore_{red}', lambda x, y, r=red: F.cross_entropy(x, y.long(), reduction=r),
                               {'fn': 'crossEntropy', 'opts': {'reduction': red}}, logits, t_ign.int(), red))
        cases.append(loss_case(f'ce_smooth_{red}', lambda x, y, r=red: F.cross_entropy(x, y.long(), reduction=r, label_smoothing=0.1),
                               {'fn': 'crossEntropy', 'opts': {'reduction': red, 'labelSmoothing': 0.1}}, logits, t.int(), red))
        cases.append(loss_case(f'ce_smooth_weight_ignore_{red}', lambda x, y, r=red: F.cross_entropy(x, y.long(), weight=cw, ignore_index=7, reduction=r, label_smoothing=0.2),
                               {'fn': 'crossEntropy', 'opts': {'reduction': red, 'labelSmoothing': 0.2, 'ignoreIndex': 7, 'weight': enc(cw)}}, logits, t_ign7.int(), red))
        cases.append(loss_case(f'nll_{red}', lambda x, y, r=red: F.nll_loss(x, y.long(), reduction=r), {'fn': 'nllLoss', 'opts': {'reduction': red}},
                               F.log_softmax(logits, 1), t.int(), red))
        cases.append(loss_case(f'nll_weight_ignore_{red}', lambda x, y, r=red: F.nll_loss(x, y.long(), weight=cw, reduction=r),
                               {'fn': 'nllLoss', 'opts': {'reduction': red, 'weight': enc(cw)}}, F.log_softmax(logits, 1), t_ign.int(), red))
        a, b = randn(3, 4), randn(3, 4)
        cases.append(loss_case(f'mse_{red}', lambda x, y, r=red: F.mse_loss(x, y, reduction=r), {'fn': 'mseLoss', 'opts': {'reduction': red}}, a, b, red))
        cases.append(loss_case(f'l1_{red}', lambda x, y, r=red: F.l1_loss(x, y, reduction=r), {'fn': 'l1Loss', 'opts': {'reduction': red}}, a, b, red))
        p = torch.sigmoid(randn(6))
        tb = torch.tensor([0., 1., 1., 0., 1., 0.])
        cases.append(loss_case(f'bce_{red}', lambda x, y, r=red: F.binary_cross_entropy(x, y, reduction=r), {'fn': 'binaryCrossEntropy', 'opts': {'reduction': red}}, p, tb, red))
        cases.append(loss_case(f'bcelogits_{red}', lambda x, y, r=red: F.binary_cross_entropy_with_logits(x, y, reduction=r),
                               {'fn': 'binaryCrossEntropyWithLogits', 'opts': {'reduction': red}}, randn(6) * 3, tb, red))
    probs = torch.softmax(randn(N, C), 1)
    cases.append(loss_case('ce_probs_mean', lambda x, y: F.cross_entropy(x, y), {'fn': 'crossEntropy', 'opts': {}}, logits, probs, 'mean'))
    cases.append(loss_case('ce_probs_smooth_weight_sum', lambda x, y: F.cross_entropy(x, y, weight=cw, label_smoothing=0.3, reduction='sum'),
                           {'fn': 'crossEntropy', 'opts': {'reduction': 'sum', 'labelSmoothing': 0.3, 'weight': enc(cw)}}, logits, probs, 'sum'))
    x3 = randn(2, C, 3)
    t3 = torch.tensor([[0, 1, 3], [2, 2, 0]], dtype=torch.int32)
    cases.append(loss_case('ce_spatial_mean', lambda x, y: F.cross_entropy(x, y.long()), {'fn': 'crossEntropy', 'opts': {}}, x3, t3, 'mean'))
    cases.append(loss_case('ce_unbatched', lambda x, y: F.cross_entropy(x, y.long()), {'fn': 'crossEntropy', 'opts': {}}, randn(C), torch.tensor(2, dtype=torch.int32), 'mean'))
    return cases


class Net(nn.Module):
    """Mirrors the TS model in tests/nn/models.test.ts field by field."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3), nn.BatchNorm2d(6), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.blocks = nn.ModuleList([nn.Linear(6, 6), nn.Linear(6, 6)])
        self.norm = nn.LayerNorm(6)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        x = self.features(x).flatten(1)
        for b in self.blocks:
            x = torch.tanh(b(x))
        return self.head(self.norm(x))


def models():
    out = []
    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(16 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
    for name, m, shape in [('cnn', cnn, [1, 28, 28]), ('mlp', mlp, [1, 28, 28]), ('net', Net(), [1, 8, 8])]:
        entry = {
            'name': name,
            'namedParameters': [[n, list(p.shape)] for n, p in m.named_parameters()],
            'stateDictKeys': list(m.state_dict().keys()),
            'numParameters': sum(p.numel() for p in m.parameters()),
            'inputShape': shape,
        }
        if name == 'net':
            randomize(m)
            entry['state'] = {k: enc(v) for k, v in m.state_dict().items()}
            m.train()
            x = randn(3, *shape)
            y = m(x)
            t = torch.tensor([0, 2, 1])
            loss = F.cross_entropy(y, t)
            loss.backward()
            entry['input'] = enc(x)
            entry['target'] = enc(t.int())
            entry['output'] = enc(y)
            entry['loss'] = loss.item()
            entry['grads'] = {n: enc(p.grad) for n, p in m.named_parameters()}
            entry['stateAfter'] = {k: enc(v) for k, v in m.state_dict().items() if 'running' in k or 'num_batches' in k}
            m.eval()
            entry['evalOutput'] = enc(m(x))
        out.append(entry)
    return out


def problem():
    """A fixed problem every optimizer case runs on: two parameters, a tanh regression loss."""
    g = torch.Generator().manual_seed(99)
    x = torch.randn(6, 3, generator=g)
    y = torch.randn(6, 2, generator=g)
    w = torch.randn(3, 2, generator=g)
    b = torch.randn(2, generator=g)
    return x, y, w, b


def loss_fn(x, y, w, b):
    return ((torch.tanh(x @ w + b) - y) ** 2).mean()


def optim_cases():
    x, y, w0, b0 = problem()
    specs = [
        ('sgd', 'SGD', {'lr': 0.1}, lambda ps: torch.optim.SGD(ps, lr=0.1)),
        ('sgd_momentum', 'SGD', {'lr': 0.1, 'momentum': 0.9}, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
        ('sgd_dampening', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.3}, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3)),
        ('sgd_nesterov', 'SGD', {'lr': 0.1, 'momentum': 0.8, 'nesterov': True}, lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.8, nesterov=True)),
        ('sgd_wd_momentum', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'weightDecay': 0.1}, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1)),
        ('sgd_maximize', 'SGD', {'lr': 0.1, 'maximize': True}, lambda ps: torch.optim.SGD(ps, lr=0.1, maximize=True)),
        ('rmsprop', 'RMSprop', {'lr': 0.01}, lambda ps: torch.optim.RMSprop(ps, lr=0.01)),
        ('rmsprop_all', 'RMSprop', {'lr': 0.02, 'alpha': 0.9, 'eps': 1e-6, 'weightDecay': 0.05, 'momentum': 0.5, 'centered': True},
         lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.05, momentum=0.5, centered=True)),
        ('adam', 'Adam', {'lr': 0.05}, lambda ps: torch.optim.Adam(ps, lr=0.05)),
        ('adam_wd_amsgrad', 'Adam', {'lr': 0.05, 'betas': [0.8, 0.95], 'weightDecay': 0.1, 'amsgrad': True},
         lambda ps: torch.optim.Adam(ps, lr=0.05, betas=(0.8, 0.95), weight_decay=0.1, amsgrad=True)),
        ('adamw', 'AdamW', {'lr': 0.05}, lambda ps: torch.optim.AdamW(ps, lr=0.05)),
        ('adamw_wd_amsgrad', 'AdamW', {'lr': 0.05, 'weightDecay': 0.3, 'amsgrad': True, 'eps': 1e-4},
         lambda ps: torch.optim.AdamW(ps, lr=0.05, weight_decay=0.3, amsgrad=True, eps=1e-4)),
        ('adagrad', 'Adagrad', {'lr': 0.1}, lambda ps: torch.optim.Adagrad(ps, lr=0.1)),
        ('adagrad_all', 'Adagrad', {'lr': 0.1, 'lrDecay': 0.05, 'weightDecay': 0.1, 'initialAccumulatorValue': 0.2, 'eps': 1e-6},
         lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2, eps=1e-6)),
    ]
    cases = []
    for name, cls, opts, make in specs:
        w = w0.clone().requires_grad_(True)
        b = b0.clone().requires_grad_(True)
        opt = make([w, b])
        traj = []
        for _ in range(6):
            opt.zero_grad()
            loss_fn(x, y, w, b).backward()
            opt.step()
            traj.append({'w': enc(w), 'b': enc(b)})
        cases.append({'name': name, 'cls': cls, 'opts': opts, 'trajectory': traj})
    # Two groups with different learning rates.
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = torch.optim.SGD([{'params': [w]}, {'params': [b], 'lr': 0.5, 'momentum': 0.5}], lr=0.1)
    traj = []
    for _ in range(4):
        opt.zero_grad()
        loss_fn(x, y, w, b).backward()
        opt.step()
        traj.append({'w': enc(w), 'b': enc(b)})
    cases.append({'name': 'sgd_groups', 'cls': 'SGD', 'opts': {'lr': 0.1}, 'groups': [{}, {'lr': 0.5, 'momentum': 0.5}], 'trajectory': traj})
    return {'problem': {'x': enc(x), 'y': enc(y), 'w': enc(w0), 'b': enc(b0)}, 'cases': cases}


def scheduler_cases():
    out = []
    specs = [
        ('steplr', 'StepLR', {'stepSize': 3, 'gamma': 0.5}, lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 12),
        ('cosine', 'CosineAnnealingLR', {'tMax': 5, 'etaMin': 0.01}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01), 14),
        ('cosine_t10', 'CosineAnnealingLR', {'tMax': 10}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10), 11),
        ('multistep', 'MultiStepLR', {'milestones': [2, 5], 'gamma': 0.3}, lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.3), 8),
        ('exponential', 'ExponentialLR', {'gamma': 0.9}, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 6),
        ('linear', 'LinearLR', {'startFactor': 0.25, 'totalIters': 4}, lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4), 7),
    ]
    for name, cls, opts, make, steps in specs:
        p = torch.zeros(1, requires_grad=True)
        q = torch.zeros(1, requires_grad=True)
        o = torch.optim.SGD([{'params': [p]}, {'params': [q], 'lr': 0.02}], lr=0.1)
        s = make(o)
        lrs = [s.get_last_lr()]
        for _ in range(steps - 1):
            o.step()
            s.step()
            lrs.append(s.get_last_lr())
        out.append({'name': name, 'cls': cls, 'opts': opts, 'baseLrs': [0.1, 0.02], 'lrs': lrs})
    return out


def onecycle_cases():
    out = []
    for name, opts, kw, adam, steps in [
        ('onecycle_sgd', {'maxLr': [0.1, 0.05], 'totalSteps': 10}, dict(max_lr=[0.1, 0.05], total_steps=10), False, 10),
        ('onecycle_adam_linear_3phase', {'maxLr': 0.01, 'totalSteps': 12, 'annealStrategy': 'linear', 'threePhase': True, 'pctStart': 0.25, 'divFactor': 10, 'finalDivFactor': 100},
         dict(max_lr=0.01, total_steps=12, anneal_strategy='linear', three_phase=True, pct_start=0.25, div_factor=10, final_div_factor=100), True, 12),
    ]:
        p = torch.zeros(1, requires_grad=True)
        q = torch.zeros(1, requires_grad=True)
        groups = [{'params': [p]}, {'params': [q]}]
        o = torch.optim.Adam(groups, lr=0.1) if adam else torch.optim.SGD(groups, lr=0.1, momentum=0.9)
        s = torch.optim.lr_scheduler.OneCycleLR(o, **kw)
        mom = lambda: [g['betas'][0] if adam else g['momentum'] for g in o.param_groups]
        lrs = [s.get_last_lr()]
        moms = [mom()]
        for _ in range(steps - 1):
            o.step()
            s.step()
            lrs.append(s.get_last_lr())
            moms.append(mom())
        out.append({'name': name, 'adam': adam, 'opts': opts, 'lrs': lrs, 'momenta': moms})
    return out


def plateau_cases():
    out = []
    metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.905, 0.9049, 0.95, 0.97, 0.99, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86]
    specs = [
        ('plateau_min', {'patience': 2, 'factor': 0.5}, dict(patience=2, factor=0.5)),
        ('plateau_cooldown_minlr', {'patience': 1, 'factor': 0.3, 'cooldown': 2, 'minLr': [0.005, 0.001]}, dict(patience=1, factor=0.3, cooldown=2, min_lr=[0.005, 0.001])),
        ('plateau_max_abs', {'mode': 'max', 'patience': 1, 'threshold': 0.01, 'thresholdMode': 'abs'}, dict(mode='max', patience=1, threshold=0.01, threshold_mode='abs')),
    ]
    for name, opts, kw in specs:
        p = torch.zeros(1, requires_grad=True)
        q = torch.zeros(1, requires_grad=True)
        o = torch.optim.SGD([{'params': [p]}, {'params': [q], 'lr': 0.02}], lr=0.1)
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, **kw)
        lrs = []
        for m in metrics:
            s.step(m)
            lrs.append([g['lr'] for g in o.param_groups])
        out.append({'name': name, 'opts': opts, 'metrics': metrics, 'lrs': lrs})
    return out


def clip_cases():
    out = []
    g = torch.Generator().manual_seed(5)
    for name, kind, arg, kw in [
        ('norm2_clipped', 'norm', 1.0, {}),
        ('norm2_unclipped', 'norm', 100.0, {}),
        ('norm1', 'norm', 2.0, {'norm_type': 1}),
        ('norm_inf', 'norm', 0.5, {'norm_type': float('inf')}),
        ('value', 'value', 0.3, {}),
    ]:
        ps = [torch.zeros(3, 2, requires_grad=True), torch.zeros(4, requires_grad=True)]
        grads = [torch.randn(3, 2, generator=g), torch.randn(4, generator=g)]
        for p, gr in zip(ps, grads):
            p.grad = gr.clone()
        if kind == 'norm':
            total = torch.nn.utils.clip_grad_norm_(ps, arg, **kw).item()
        else:
            torch.nn.utils.clip_grad_value_(ps, arg)
            total = None
        out.append({'name': name, 'kind': kind, 'arg': arg, 'normType': kw.get('norm_type', 2) if kw.get('norm_type') != float('inf') else 'inf',
                    'grads': [enc(x) for x in grads], 'clipped': [enc(p.grad) for p in ps], 'total': total})
    return out


# ---------- safetensors written by hand ----------

ST_CODES = {torch.float32: ('F32', 4, 'f'), torch.float64: ('F64', 8, 'd'), torch.int32: ('I32', 4, 'i'),
            torch.int64: ('I64', 8, 'q'), torch.bool: ('BOOL', 1, '?'), torch.float16: ('F16', 2, 'e')}


def write_safetensors(path, tensors, metadata):
    """The format per its spec: u64 LE header size, JSON header padded with spaces to 8 bytes, raw LE data.
    Tensors are ordered like the reference implementation: by dtype size (largest first), then name."""
    order = sorted(tensors.items(), key=lambda kv: (-ST_CODES[kv[1].dtype][1], kv[0]))
    header = {'__metadata__': metadata}
    blobs = []
    off = 0
    for name, t in order:
        code, size, fmt = ST_CODES[t.dtype]
        flat = t.reshape(-1).tolist()
        data = struct.pack('<' + fmt * len(flat), *flat)
        header[name] = {'dtype': code, 'shape': list(t.shape), 'data_offsets': [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def safetensors_fixture():
    g = torch.Generator().manual_seed(7)
    tensors = {
        'layer.weight': torch.randn(2, 3, generator=g).float(),
        'layer.bias': torch.randn(3, generator=g),
        'counts': torch.tensor([1, -2, 3, 2147483647], dtype=torch.int32),
        'bn.num_batches_tracked': torch.tensor(17, dtype=torch.int64),
        'mask': torch.tensor([[True, False], [False, True]]),
        'half': torch.tensor([1.5, -0.25, 65504.0, 0.0001], dtype=torch.float16),
        'empty': torch.zeros(0, 4, dtype=torch.float32),
    }
    write_safetensors(os.path.join(OUT, 'torch_written.safetensors'), tensors, {'format': 'pt', 'source': 'gen_nn_fixtures.py'})
    return {
        'metadata': {'format': 'pt', 'source': 'gen_nn_fixtures.py'},
        'order': [n for n, _ in sorted(tensors.items(), key=lambda kv: (-ST_CODES[kv[1].dtype][1], kv[0]))],
        'tensors': {n: {**enc(t.double() if t.dtype == torch.float16 else t), 'code': ST_CODES[t.dtype][0]} for n, t in tensors.items()},
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    files = {
        'layers.json': {'layers': layers(), 'batchnorm': batchnorm_cases()},
        'losses.json': losses(),
        'models.json': models(),
        'optim.json': {**optim_cases(), 'schedulers': scheduler_cases(), 'plateau': plateau_cases(), 'clip': clip_cases(), 'onecycle': onecycle_cases()},
        'safetensors.json': safetensors_fixture(),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), 'w') as f:
            json.dump(data, f, separators=(',', ':'))
        print(f'wrote {name} ({os.path.getsize(os.path.join(OUT, name))} bytes)')


if __name__ == '__main__':
    main()
