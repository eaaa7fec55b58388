#!/usr/bin/python3
"""Writes tests/fixtures/ops/*.json: PyTorch reference values for the op suite.

Run with /usr/bin/python3 (PyTorch 1.13, CPU). Each case holds its inputs
(float64 values and shape, or int32/bool values), the op's arguments, the
forward output, fixed random weights w of the output's shape, and the
gradients of sum(output * w) with respect to every float input. The tests in
tests/ops/ rebuild the inputs, run the same op in tsgrad and compare, so the
tests never need Python. Op names and argument names follow tsgrad's API.

Usage: /usr/bin/python3 tools/gen_op_fixtures.py [outdir]
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(1234)


def randn(*shape):
    return torch.randn(shape, generator=GEN)


def pos(*shape):
    """Positive values away from 0 (for log, sqrt, pow bases, ...)."""
    return torch.rand(shape, generator=GEN) * 1.5 + 0.5


def away(*shape):
    """Normals pushed away from 0 (for abs, relu, ... whose kinks sit at 0)."""
    x = randn(*shape)
    return x + 0.2 * torch.sign(x)


def ints(shape, low, high):
    return torch.randint(low, high, shape, generator=GEN).to(torch.int32)


def spread(*shape):
    """Distinct values (no ties for max/min)."""
    n = 1
    for s in shape:
        n *= s
    perm = torch.randperm(n, generator=GEN).to(torch.float64)
    return (perm / n * 4 - 2 + 0.01 * randn(n)).reshape(shape)


# ---------- how each op runs in PyTorch ----------

def reduce_fn(name):
    def f(xs, a):
        x = xs[0]
        d = a.get('dim')
        k = a.get('keepdim', False)
        if name in ('var', 'std'):
            fn = torch.var if name == 'var' else torch.std
            ub = a.get('unbiased', True)
            return fn(x, unbiased=ub) if d is None else fn(x, d, unbiased=ub, keepdim=k)
        if name == 'max':
            return x.amax() if d is None else torch.amax(x, d, keepdim=k)
        if name == 'min':
            return x.amin() if d is None else torch.amin(x, d, keepdim=k)
        if name == 'prod':
            if d is None:
                return x.prod()
            if isinstance(d, list):
                y = x
                for dd in sorted([dd % x.dim() for dd in d], reverse=True):
                    y = y.prod(dd, keepdim=True)
                return y if k else _drop(y, d, x.dim())
            return x.prod(d, keepdim=k)
        if name == 'logsumexp':
            return torch.logsumexp(x, list(range(x.dim())) if d is None else d, keepdim=k)
        fn = getattr(torch, name)
        return fn(x) if d is None else fn(x, d, keepdim=k)
    return f


def _drop(y, dims, ndim):
    keep = [s for i, s in enumerate(y.shape) if i not in [dd % ndim for dd in dims]]
    return y.reshape(keep)


def slice_fn(xs, a):
    x = xs[0]
    idx = [slice(None)] * x.dim()
    idx[a['dim']] = slice(a.get('start'), a.get('end'), a.get('step', 1))
    return x[tuple(idx)]


def pool_pair(v):
    return tuple(v) if isinstance(v, list) else v


TORCH = {
    'neg': lambda xs, a: -xs[0],
    'exp': lambda xs, a: xs[0].exp(),
    'log': lambda xs, a: xs[0].log(),
    'sqrt': lambda xs, a: xs[0].sqrt(),
    'rsqrt': lambda xs, a: xs[0].rsqrt(),
    'abs': lambda xs, a: xs[0].abs(),
    'reciprocal': lambda xs, a: xs[0].reciprocal(),
    'square': lambda xs, a: xs[0].square(),
    'sin': lambda xs, a: xs[0].sin(),
    'cos': lambda xs, a: xs[0].cos(),
    'log1p': lambda xs, a: xs[0].log1p(),
    'expm1': lambda xs, a: xs[0].expm1(),
    'relu': lambda xs, a: F.relu(xs[0]),
    'leakyRelu': lambda xs, a: F.leaky_relu(xs[0], a.get('negativeSlope', 0.01)),
    'elu': lambda xs, a: F.elu(xs[0], a.get('alpha', 1.0)),
    'sigmoid': lambda xs, a: torch.sigmoid(xs[0]),
    'tanh': lambda xs, a: torch.tanh(xs[0]),
    'clamp': lambda xs, a: torch.clamp(xs[0], a.get('min'), a.get('max')),
    'add': lambda xs, a: xs[0] + xs[1],
    'sub': lambda xs, a: xs[0] - xs[1],
    'mul': lambda xs, a: xs[0] * xs[1],
    'div': lambda xs, a: xs[0] / xs[1],
    'pow': lambda xs, a: torch.pow(xs[0], xs[1]),
    'maximum': lambda xs, a: torch.maximum(xs[0], xs[1]),
    'minimum': lambda xs, a: torch.minimum(xs[0], xs[1]),
    # A number on one side: args.scalar, args.left says it is the left operand.
    'addScalar': lambda xs, a: a['scalar'] + xs[0] if a.get('left') else xs[0] + a['scalar'],
    'subScalar': lambda xs, a: a['scalar'] - xs[0] if a.get('left') else xs[0] - a['scalar'],
    'mulScalar': lambda xs, a: a['scalar'] * xs[0] if a.get('left') else xs[0] * a['scalar'],
    'divScalar': lambda xs, a: a['scalar'] / xs[0] if a.get('left') else xs[0] / a['scalar'],
    'powScalar': lambda xs, a: torch.pow(xs[0], a['exponent']),
    'where': lambda xs, a: torch.where(xs[0], xs[1], xs[2]),
    'sum': reduce_fn('sum'),
    'mean': reduce_fn('mean'),
    'max': reduce_fn('max'),
    'min': reduce_fn('min'),
    'prod': reduce_fn('prod'),
    'var': reduce_fn('var'),
    'std': reduce_fn('std'),
    'logsumexp': reduce_fn('logsumexp'),
    'softmax': lambda xs, a: torch.softmax(xs[0], a['dim']),
    'logSoftmax': lambda xs, a: torch.log_softmax(xs[0], a['dim']),
    'matmul': lambda xs, a: torch.matmul(xs[0], xs[1]),
    'linear': lambda xs, a: F.linear(xs[0], xs[1], xs[2] if len(xs) > 2 else None),
    'conv2d': lambda xs, a: F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=pool_pair(a.get('stride', 1)),
                                     padding=pool_pair(a.get('padding', 0)), dilation=pool_pair(a.get('dilation', 1)),
                                     groups=a.get('groups', 1)),
    'maxPool2d': lambda xs, a: F.max_pool2d(xs[0], pool_pair(a['kernel']), pool_pair(a.get('stride', a['kernel'])),
                                            pool_pair(a.get('padding', 0))),
    'avgPool2d': lambda xs, a: F.avg_pool2d(xs[0], pool_pair(a['kernel']), pool_pair(a.get('stride', a['kernel'])),
                                            pool_pair(a.get('padding', 0)), count_include_pad=a.get('countIncludePad', True)),
    'globalAvgPool2d': lambda xs, a: F.adaptive_avg_pool2d(xs[0], 1),
    'reshape': lambda xs, a: xs[0].reshape(a['shape']),
    'view': lambda xs, a: xs[0].view(a['shape']),
    'flatten': lambda xs, a: xs[0].flatten(a.get('startDim', 0), a.get('endDim', -1)),
    'squeeze': lambda xs, a: xs[0].squeeze() if a.get('dim') is None else xs[0].squeeze(a['dim']),
    'unsqueeze': lambda xs, a: xs[0].unsqueeze(a['dim']),
    'permute': lambda xs, a: xs[0].permute(a['dims']),
    'transpose': lambda xs, a: xs[0].transpose(a['dim0'], a['dim1']),
    't': lambda xs, a: xs[0].t(),
    'slice': slice_fn,
    'narrow': lambda xs, a: xs[0].narrow(a['dim'], a['start'], a['length']),
    'select': lambda xs, a: xs[0].select(a['dim'], a['index']),
    'expand': lambda xs, a: xs[0].expand(a['shape']),
    'contiguous': lambda xs, a: xs[0].contiguous(),
    'clone': lambda xs, a: xs[0].clone(),
    'castRoundTrip': lambda xs, a: xs[0].float().to(xs[0].dtype),
    'cat': lambda xs, a: torch.cat(xs, a.get('dim', 0)),
    'stack': lambda xs, a: torch.stack(xs, a.get('dim', 0)),
    'indexSelect': lambda xs, a: torch.index_select(xs[0], a['dim'], xs[1].long()),
    'gather': lambda xs, a: torch.gather(xs[0], a['dim'], xs[1].long()),
    'scatterAdd': lambda xs, a: torch.scatter_add(xs[0], a['dim'], xs[1].long(), xs[2]),
    'pad': lambda xs, a: F.pad(xs[0], tuple(a['pads']), a.get('mode', 'constant'), *( [a['value']] if 'value' in a else [])),
    'sort': lambda xs, a: torch.sort(xs[0], stable=True, dim=a.get('dim', -1), descending=a.get('descending', False))[0],
    'topk': lambda xs, a: torch.topk(xs[0], a['k'], a.get('dim', -1), a.get('largest', True))[0],
    'cumsum': lambda xs, a: torch.cumsum(xs[0], a['dim']),
    # Every piece, scaled by its position + 1 and put back together, so each piece's gradient differs.
    'splitCat': lambda xs, a: torch.cat([p * (i + 1) for i, p in enumerate(torch.split(xs[0], a['sizes'], a.get('dim', 0)))], a.get('dim', 0)),
    'chunkCat': lambda xs, a: torch.cat([p * (i + 1) for i, p in enumerate(torch.chunk(xs[0], a['chunks'], a.get('dim', 0)))], a.get('dim', 0)),
    'maskedFill': lambda xs, a: xs[0].masked_fill(xs[1], a['value']),
    'maskedSelect': lambda xs, a: torch.masked_select(xs[0], xs[1]),
    'repeat': lambda xs, a: xs[0].repeat(*a['reps']),
    'flip': lambda xs, a: torch.flip(xs[0], a['dims']),
}


# ---------- the cases ----------

def cases_elementwise():
    c = []
    for op in ['neg', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'square', 'expm1']:
        c.append((op, op, {}, [randn(3, 4)]))
    for op in ['log', 'sqrt', 'rsqrt', 'reciprocal', 'log1p']:
        c.append((op, op, {}, [pos(3, 4)]))
    for op in ['abs', 'relu']:
        c.append((op, op, {}, [away(3, 4)]))
    c.append(('leakyRelu', 'leakyRelu', {}, [away(3, 4)]))
    c.append(('leakyRelu slope 0.2', 'leakyRelu', {'negativeSlope': 0.2}, [away(3, 4)]))
    c.append(('elu', 'elu', {}, [away(3, 4)]))
    c.append(('elu alpha 0.5', 'elu', {'alpha': 0.5}, [away(3, 4)]))
    c.append(('sigmoid large', 'sigmoid', {}, [randn(2, 3) * 20]))
    c.append(('clamp both', 'clamp', {'min': -0.5, 'max': 0.7}, [spread(3, 4)]))
    c.append(('clamp min', 'clamp', {'min': -0.3}, [spread(3, 4)]))
    c.append(('clamp max', 'clamp', {'max': 0.3}, [spread(3, 4)]))
    for op in ['add', 'sub', 'mul']:
        c.append((op, op, {}, [randn(3, 4), randn(3, 4)]))
        c.append((op + ' broadcast', op, {}, [randn(2, 1, 4), randn(3, 1)]))
    c.append(('div', 'div', {}, [randn(3, 4), pos(3, 4)]))
    c.append(('div broadcast', 'div', {}, [randn(2, 3, 1), pos(4)]))
    c.append(('pow', 'pow', {}, [pos(3, 4), randn(3, 4)]))
    c.append(('pow broadcast', 'pow', {}, [pos(2, 3), randn(3)]))
    for op in ['maximum', 'minimum']:
        c.append((op, op, {}, [randn(3, 4), randn(3, 4)]))
        c.append((op + ' broadcast', op, {}, [randn(3, 1), randn(1, 4)]))
    for op in ['add', 'sub', 'mul']:
        c.append((op + ' scalar', op + 'Scalar', {'scalar': 1.5}, [randn(3, 4)]))
        c.append((op + ' scalar left', op + 'Scalar', {'scalar': -2.5, 'left': True}, [randn(3, 4)]))
    c.append(('div scalar', 'divScalar', {'scalar': 4.0}, [randn(3, 4)]))
    c.append(('div scalar left', 'divScalar', {'scalar': 3.0, 'left': True}, [pos(3, 4)]))
    c.append(('pow 2', 'powScalar', {'exponent': 2}, [randn(3, 4)]))
    c.append(('pow 3', 'powScalar', {'exponent': 3}, [randn(3, 4)]))
    c.append(('pow 0.5', 'powScalar', {'exponent': 0.5}, [pos(3, 4)]))
    c.append(('pow -1.5', 'powScalar', {'exponent': -1.5}, [pos(3, 4)]))
    c.append(('where', 'where', {}, [randn(3, 4) > 0, randn(3, 4), randn(3, 4)]))
    c.append(('where broadcast', 'where', {}, [randn(3, 1) > 0, randn(1, 4), randn(3, 4)]))
    return c


def cases_reduce():
    c = []
    for op in ['sum', 'mean', 'max', 'min', 'prod', 'logsumexp']:
        mk = spread if op in ('max', 'min') else (pos if op == 'prod' else randn)
        c.append((op + ' all', op, {}, [mk(3, 4)]))
        c.append((op + ' dim 1', op, {'dim': 1}, [mk(3, 4)]))
        c.append((op + ' dim 0 keepdim', op, {'dim': 0, 'keepdim': True}, [mk(3, 4)]))
        c.append((op + ' dim -1 of 3-d', op, {'dim': -1}, [mk(2, 3, 4)]))
        c.append((op + ' dims [0,2] keepdim', op, {'dim': [0, 2], 'keepdim': True}, [mk(2, 3, 4)]))
        c.append((op + ' dims [0,2]', op, {'dim': [0, 2]}, [mk(2, 3, 4)]))
    # Zeros in a slice: one zero gets the product of the others, two zeros give all-zero gradients.
    zx = pos(3, 4)
    zx[0, 1] = 0.0
    zx[2, 0] = 0.0
    zx[2, 3] = 0.0
    c.append(('prod dim 1 with zeros', 'prod', {'dim': 1}, [zx]))
    c.append(('prod all with a zero', 'prod', {}, [zx[:2]]))
    for op in ['var', 'std']:
        for ub in [True, False]:
            c.append((f'{op} all unbiased={ub}', op, {'unbiased': ub}, [randn(3, 4)]))
            c.append((f'{op} dim 1 unbiased={ub}', op, {'dim': 1, 'unbiased': ub}, [randn(3, 4)]))
            c.append((f'{op} dim 0 keepdim unbiased={ub}', op, {'dim': 0, 'unbiased': ub, 'keepdim': True}, [randn(3, 4)]))
            c.append((f'{op} dims [1,2] unbiased={ub}', op, {'dim': [1, 2], 'unbiased': ub}, [randn(2, 3, 4)]))
    for op in ['softmax', 'logSoftmax']:
        c.append((op + ' dim 1', op, {'dim': 1}, [randn(3, 4)]))
        c.append((op + ' dim 0', op, {'dim': 0}, [randn(3, 4)]))
        c.append((op + ' dim -1 3-d', op, {'dim': -1}, [randn(2, 3, 4)]))
        c.append((op + ' dim 1 3-d large', op, {'dim': 1}, [randn(2, 3, 4) * 30]))
    return c


def cases_linalg():
    c = []
    c.append(('matmul 2-d', 'matmul', {}, [randn(3, 4), randn(4, 5)]))
    c.append(('matmul 1-d @ 2-d', 'matmul', {}, [randn(4), randn(4, 5)]))
    c.append(('matmul 2-d @ 1-d', 'matmul', {}, [randn(3, 4), randn(4)]))
    c.append(('matmul 1-d @ 1-d', 'matmul', {}, [randn(4), randn(4)]))
    c.append(('matmul batched', 'matmul', {}, [randn(2, 3, 4), randn(2, 4, 5)]))
    c.append(('matmul batched broadcast', 'matmul', {}, [randn(2, 1, 3, 4), randn(3, 4, 2)]))
    c.append(('matmul batched @ 2-d', 'matmul', {}, [randn(2, 3, 4), randn(4, 5)]))
    c.append(('matmul 2-d @ batched', 'matmul', {}, [randn(3, 4), randn(2, 4, 5)]))
    c.append(('matmul batched @ 1-d', 'matmul', {}, [randn(2, 3, 4), randn(4)]))
    c.append(('matmul 1-d @ batched', 'matmul', {}, [randn(4), randn(2, 4, 3)]))
    c.append(('linear', 'linear', {}, [randn(3, 4), randn(5, 4), randn(5)]))
    c.append(('linear no bias', 'linear', {}, [randn(3, 4), randn(5, 4)]))
    c.append(('linear 3-d input', 'linear', {}, [randn(2, 3, 4), randn(5, 4), randn(5)]))
    return c


def cases_conv():
    c = []
    c.append(('conv2d', 'conv2d', {}, [randn(2, 3, 5, 5), randn(4, 3, 3, 3), randn(4)]))
    c.append(('conv2d no bias', 'conv2d', {}, [randn(1, 2, 4, 5), randn(3, 2, 2, 3)]))
    c.append(('conv2d stride 2 padding 1', 'conv2d', {'stride': 2, 'padding': 1}, [randn(2, 2, 6, 5), randn(3, 2, 3, 3), randn(3)]))
    c.append(('conv2d stride [1,2] padding [2,0]', 'conv2d', {'stride': [1, 2], 'padding': [2, 0]}, [randn(1, 2, 5, 6), randn(2, 2, 3, 2), randn(2)]))
    c.append(('conv2d dilation 2', 'conv2d', {'dilation': 2, 'padding': 1}, [randn(1, 2, 7, 6), randn(3, 2, 3, 3), randn(3)]))
    c.append(('conv2d groups 2', 'conv2d', {'groups': 2, 'padding': 1}, [randn(2, 4, 5, 5), randn(6, 2, 3, 3), randn(6)]))
    c.append(('conv2d depthwise', 'conv2d', {'groups': 3, 'stride': 2}, [randn(1, 3, 6, 6), randn(3, 1, 3, 3), randn(3)]))
    c.append(('conv2d all options', 'conv2d', {'groups': 2, 'stride': [2, 1], 'padding': [1, 2], 'dilation': [1, 2]},
              [randn(2, 4, 7, 6), randn(4, 2, 3, 2), randn(4)]))
    c.append(('maxPool2d 2', 'maxPool2d', {'kernel': 2}, [spread(2, 2, 4, 6)]))
    c.append(('maxPool2d 3 stride 2 padding 1', 'maxPool2d', {'kernel': 3, 'stride': 2, 'padding': 1}, [spread(1, 2, 7, 6)]))
    c.append(('maxPool2d [2,3] stride 1', 'maxPool2d', {'kernel': [2, 3], 'stride': 1}, [spread(1, 2, 4, 5)]))
    c.append(('maxPool2d padding negative values', 'maxPool2d', {'kernel': 2, 'stride': 2, 'padding': 1}, [spread(1, 1, 5, 5) - 10]))
    c.append(('avgPool2d 2', 'avgPool2d', {'kernel': 2}, [randn(2, 2, 4, 6)]))
    for cip in [True, False]:
        c.append((f'avgPool2d 3 stride 2 padding 1 countIncludePad={cip}', 'avgPool2d',
                  {'kernel': 3, 'stride': 2, 'padding': 1, 'countIncludePad': cip}, [randn(1, 2, 7, 6)]))
        c.append((f'avgPool2d [2,3] padding [1,1] countIncludePad={cip}', 'avgPool2d',
                  {'kernel': [2, 3], 'stride': [1, 2], 'padding': [1, 1], 'countIncludePad': cip}, [randn(1, 2, 4, 5)]))
    c.append(('avgPool2d kernel 3 stride 2 uneven', 'avgPool2d', {'kernel': 3, 'stride': 2}, [randn(1, 1, 6, 7)]))
    c.append(('globalAvgPool2d', 'globalAvgPool2d', {}, [randn(2, 3, 4, 5)]))
    return c


def cases_shape():
    c = []
    c.append(('reshape', 'reshape', {'shape': [4, 3]}, [randn(3, 4)]))
    c.append(('reshape -1', 'reshape', {'shape': [2, -1]}, [randn(2, 3, 2)]))
    c.append(('view', 'view', {'shape': [6, 2]}, [randn(3, 4)]))
    c.append(('flatten', 'flatten', {}, [randn(2, 3, 2)]))
    c.append(('flatten 1..2', 'flatten', {'startDim': 1, 'endDim': 2}, [randn(2, 3, 2, 2)]))
    c.append(('squeeze all', 'squeeze', {}, [randn(2, 1, 3, 1)]))
    c.append(('squeeze dim', 'squeeze', {'dim': 1}, [randn(2, 1, 3, 1)]))
    c.append(('unsqueeze', 'unsqueeze', {'dim': 1}, [randn(2, 3)]))
    c.append(('unsqueeze -1', 'unsqueeze', {'dim': -1}, [randn(2, 3)]))
    c.append(('permute', 'permute', {'dims': [2, 0, 1]}, [randn(2, 3, 4)]))
    c.append(('transpose', 'transpose', {'dim0': 0, 'dim1': 2}, [randn(2, 3, 4)]))
    c.append(('t', 't', {}, [randn(3, 4)]))
    c.append(('slice', 'slice', {'dim': 1, 'start': 1, 'end': 4}, [randn(3, 5)]))
    c.append(('slice step 2', 'slice', {'dim': 1, 'start': 0, 'end': 5, 'step': 2}, [randn(3, 5)]))
    c.append(('slice negative', 'slice', {'dim': 0, 'start': -3, 'end': -1}, [randn(4, 3)]))
    c.append(('slice step 3 open end', 'slice', {'dim': -1, 'start': 1, 'step': 3}, [randn(2, 8)]))
    c.append(('narrow', 'narrow', {'dim': 0, 'start': 1, 'length': 2}, [randn(4, 3)]))
    c.append(('select', 'select', {'dim': 1, 'index': 2}, [randn(3, 4)]))
    c.append(('select negative', 'select', {'dim': 0, 'index': -1}, [randn(3, 4)]))
    c.append(('expand', 'expand', {'shape': [2, 3, 4]}, [randn(3, 1)]))
    c.append(('expand -1', 'expand', {'shape': [3, -1, 4]}, [randn(2, 1)]))
    c.append(('contiguous', 'contiguous', {}, [randn(3, 4)]))
    c.append(('clone', 'clone', {}, [randn(3, 4)]))
    c.append(('cast to float32 and back', 'castRoundTrip', {}, [randn(3, 4) * 100]))
    c.append(('cat dim 0', 'cat', {'dim': 0}, [randn(2, 3), randn(1, 3), randn(3, 3)]))
    c.append(('cat dim 1', 'cat', {'dim': 1}, [randn(2, 3), randn(2, 1)]))
    c.append(('stack dim 0', 'stack', {'dim': 0}, [randn(2, 3), randn(2, 3)]))
    c.append(('stack dim -1', 'stack', {'dim': -1}, [randn(2, 3), randn(2, 3), randn(2, 3)]))
    return c


def cases_indexing():
    c = []
    c.append(('indexSelect dim 0', 'indexSelect', {'dim': 0}, [randn(4, 3), torch.tensor([3, 0, 3, 1], dtype=torch.int32)]))
    c.append(('indexSelect dim 1', 'indexSelect', {'dim': 1}, [randn(2, 4, 3), torch.tensor([2, 2, 0], dtype=torch.int32)]))
    c.append(('gather dim 1', 'gather', {'dim': 1}, [randn(3, 4), ints((3, 5), 0, 4)]))
    c.append(('gather dim 0 smaller', 'gather', {'dim': 0}, [randn(4, 3), ints((2, 2), 0, 4)]))
    c.append(('scatterAdd dim 0', 'scatterAdd', {'dim': 0}, [randn(3, 4), ints((5, 4), 0, 3), randn(5, 4)]))
    c.append(('scatterAdd dim 1 partial', 'scatterAdd', {'dim': 1}, [randn(2, 5), ints((2, 3), 0, 5), randn(2, 3)]))
    return c


def cases_rearrange():
    """pad, sort/topk values, cumsum, split/chunk, masked fill/select, repeat, flip."""
    c = []
    c.append(('pad constant last dim', 'pad', {'pads': [1, 2]}, [randn(2, 3)]))
    c.append(('pad constant two dims value', 'pad', {'pads': [1, 0, 2, 1], 'value': 0.5}, [randn(2, 3, 4)]))
    c.append(('pad constant negative crops', 'pad', {'pads': [-1, 2, 0, -1]}, [randn(3, 4)]))
    c.append(('pad reflect 1-d of 3-d', 'pad', {'pads': [2, 1], 'mode': 'reflect'}, [randn(2, 3, 5)]))
    c.append(('pad reflect 2-d of 4-d', 'pad', {'pads': [1, 2, 2, 1], 'mode': 'reflect'}, [randn(1, 2, 4, 5)]))
    c.append(('pad replicate 1-d of 3-d', 'pad', {'pads': [3, 1], 'mode': 'replicate'}, [randn(2, 2, 3)]))
    c.append(('pad replicate 2-d of 4-d', 'pad', {'pads': [2, 1, 0, 3], 'mode': 'replicate'}, [randn(2, 1, 3, 4)]))
    c.append(('pad circular 2-d of 4-d', 'pad', {'pads': [1, 2, 2, 1], 'mode': 'circular'}, [randn(1, 2, 3, 4)]))
    c.append(('sort last dim', 'sort', {}, [spread(3, 5)]))
    c.append(('sort dim 0 descending', 'sort', {'dim': 0, 'descending': True}, [spread(4, 3)]))
    ties = torch.tensor([[1.0, 0.5, 1.0, -2.0, 0.5], [3.0, 3.0, 3.0, 1.0, 2.0]])
    c.append(('sort ties stable', 'sort', {'dim': 1}, [ties.clone()]))
    c.append(('sort ties stable descending', 'sort', {'dim': 1, 'descending': True}, [ties.clone()]))
    c.append(('topk largest', 'topk', {'k': 2}, [spread(3, 5)]))
    c.append(('topk smallest dim 0', 'topk', {'k': 3, 'dim': 0, 'largest': False}, [spread(4, 2, 3)]))
    c.append(('cumsum dim 1', 'cumsum', {'dim': 1}, [randn(3, 4)]))
    c.append(('cumsum dim 0 of 3-d', 'cumsum', {'dim': 0}, [randn(3, 2, 2)]))
    c.append(('cumsum dim -1 of 3-d', 'cumsum', {'dim': -1}, [randn(2, 3, 4)]))
    c.append(('split by size', 'splitCat', {'sizes': 2, 'dim': 1}, [randn(3, 5)]))
    c.append(('split by sizes', 'splitCat', {'sizes': [1, 3, 0, 1], 'dim': 0}, [randn(5, 2)]))
    c.append(('chunk 3 of 5', 'chunkCat', {'chunks': 3, 'dim': -1}, [randn(2, 5)]))
    c.append(('chunk 4 of 6', 'chunkCat', {'chunks': 4, 'dim': 0}, [randn(6, 2)]))
    c.append(('maskedFill', 'maskedFill', {'value': -1.5}, [randn(3, 4), randn(3, 4) > 0]))
    c.append(('maskedFill broadcast mask', 'maskedFill', {'value': 2.0}, [randn(2, 3, 4), randn(3, 1) > 0]))
    c.append(('maskedSelect', 'maskedSelect', {}, [randn(3, 4), randn(3, 4) > 0]))
    c.append(('maskedSelect broadcast both', 'maskedSelect', {}, [randn(3, 1), randn(1, 4) > 0]))
    c.append(('repeat', 'repeat', {'reps': [2, 3]}, [randn(2, 3)]))
    c.append(('repeat adds dims', 'repeat', {'reps': [2, 1, 2]}, [randn(3)]))
    c.append(('flip one dim', 'flip', {'dims': [1]}, [randn(3, 4)]))
    c.append(('flip two dims', 'flip', {'dims': [0, -1]}, [randn(2, 3, 4)]))
    return c


def index_cases():
    """Integer outputs (sort/topk/argsort indices), which have no gradient."""
    ties = torch.tensor([[1.0, 0.5, 1.0, -2.0, 0.5], [3.0, 3.0, 3.0, 1.0, 2.0]])
    nan = torch.tensor([0.5, float('nan'), -1.0, 2.0])
    rows = [
        ('sort indices', 'sortIndices', {'dim': 1}, spread(3, 5), lambda x: torch.sort(x, 1)[1]),
        ('sort indices ties stable', 'sortIndices', {'dim': 1}, ties, lambda x: torch.sort(x, stable=True, dim=1)[1]),
        ('sort indices ties stable descending', 'sortIndices', {'dim': 1, 'descending': True}, ties,
         lambda x: torch.sort(x, stable=True, dim=1, descending=True)[1]),
        ('sort indices with NaN (last)', 'sortIndices', {'dim': 0}, nan, lambda x: torch.sort(x, stable=True, dim=0)[1]),
        ('sort indices with NaN descending (first)', 'sortIndices', {'dim': 0, 'descending': True}, nan,
         lambda x: torch.sort(x, stable=True, dim=0, descending=True)[1]),
        ('argsort dim 0', 'argsort', {'dim': 0}, spread(4, 3), lambda x: torch.argsort(x, 0)),
        ('topk indices', 'topkIndices', {'k': 2, 'dim': -1}, spread(3, 5), lambda x: torch.topk(x, 2, -1)[1]),
        ('topk indices smallest', 'topkIndices', {'k': 3, 'dim': 0, 'largest': False}, spread(4, 2), lambda x: torch.topk(x, 3, 0, False)[1]),
    ]
    out = []
    for name, op, args, x, fn in rows:
        y = fn(x)
        out.append({
            'name': name, 'op': op, 'args': args,
            'input': {'shape': list(x.shape), 'values': [v if v == v else 'nan' for v in x.reshape(-1).tolist()]},
            'output': {'shape': list(y.shape), 'values': y.reshape(-1).tolist()},
        })
    return out


GROUPS = {
    'elementwise': cases_elementwise,
    'reduce': cases_reduce,
    'linalg': cases_linalg,
    'conv': cases_conv,
    'shape': cases_shape,
    'indexing': cases_indexing,
    'rearrange': cases_rearrange,
}


def dtype_name(t):
    return {torch.float64: 'float64', torch.int32: 'int32', torch.bool: 'bool'}[t.dtype]


def run_case(name, op, args, inputs):
    xs = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    out = TORCH[op](xs, args)
    w = randn(*out.shape)
    (out * w).sum().backward()
    return {
        'name': name,
        'op': op,
        'args': args,
        'inputs': [
            {'shape': list(x.shape), 'dtype': dtype_name(x), 'values': x.detach().reshape(-1).tolist()}
            for x in xs
        ],
        'output': {'shape': list(out.shape), 'values': out.detach().reshape(-1).tolist()},
        'weights': w.reshape(-1).tolist(),
        'grads': [x.grad.reshape(-1).tolist() if x.grad is not None else None for x in xs],
    }


def write_json(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    os.replace(tmp, path)


def format_cases():
    """Strings PyTorch prints for tensors (str(t)); tsgrad's toString must match."""
    f32 = torch.float32
    torch.set_default_dtype(f32)  # PyTorch omits the dtype of the default dtype, like tsgrad omits float32
    vals = [
        ('small floats', torch.tensor([0.5, -1.25, 3.0], dtype=f32)),
        ('integers as float', torch.tensor([1.0, -2.0, 30.0], dtype=f32)),
        ('2-d', torch.tensor([[1.5, 2.25, -3.125], [4.0, 5.5, 6.75]], dtype=f32)),
        ('3-d', torch.arange(12, dtype=f32).reshape(2, 2, 3) / 4),
        ('scalar', torch.tensor(3.5, dtype=f32)),
        ('scalar int-valued', torch.tensor(2.0, dtype=f32)),
        ('scientific tiny', torch.tensor([1e-5, 1.0], dtype=f32)),
        ('scientific ratio', torch.tensor([0.5, 1234.5], dtype=f32)),
        ('scientific large', torch.tensor([1e9, 1.5], dtype=f32)),
        ('int-valued ratio', torch.tensor([1.0, 5000.0], dtype=f32)),
        ('with zero', torch.tensor([0.0, 0.25, -0.5], dtype=f32)),
        ('all zeros', torch.zeros(3, dtype=f32)),
        ('all zeros wraps at width 1', torch.zeros(30, dtype=f32)),
        ('nan inf', torch.tensor([float('nan'), float('inf'), -float('inf'), 1.5], dtype=f32)),
        ('nan inf ints', torch.tensor([float('nan'), 2.0, float('-inf')], dtype=f32)),
        ('wraps at 80 columns', torch.arange(20, dtype=f32) / 7),
        ('wraps 2-d', torch.arange(30, dtype=f32).reshape(2, 15) / 3),
        ('float64', torch.tensor([1.5, -2.0], dtype=torch.float64)),
        ('int32', torch.tensor([1, -20, 300], dtype=torch.int32)),
        ('int32 2-d', torch.tensor([[1, 2], [30, -4]], dtype=torch.int32)),
        ('bool', torch.tensor([True, False, True])),
        ('summarized 1-d', torch.arange(2000, dtype=f32) / 3),
        ('summarized 2-d', torch.arange(40 * 40, dtype=f32).reshape(40, 40)),
        ('summarized int32', torch.arange(1500, dtype=torch.int32)),
        ('summarized picks format from shown values', torch.cat([torch.tensor([0.5, 1.5, 2.5]), torch.full((1000,), 1e-6), torch.tensor([1.25, 2.0, 3.0])]).to(f32)),
        ('summarized 3-d', torch.arange(8 * 2 * 70, dtype=f32).reshape(8, 2, 70) * 0.5),
        ('half-even rounding', torch.tensor([0.03125, -0.21875, 2.5], dtype=torch.float64)),
        ('half-even rounding scientific', torch.tensor([1.03125, 1e-5], dtype=torch.float64)),
        ('int-valued float64 wide', torch.tensor([123456.0, -7.0], dtype=torch.float64)),
        ('negative zero', torch.tensor([-0.0, 1.5], dtype=f32)),
        ('empty', torch.zeros(0, dtype=f32)),
        ('empty 2-d', torch.zeros(2, 0, dtype=f32)),
        ('empty float64', torch.zeros(0, 3, dtype=torch.float64)),
    ]
    out = []
    for name, t in vals:
        out.append({
            'name': name,
            'dtype': {torch.float32: 'float32', torch.float64: 'float64', torch.int32: 'int32', torch.bool: 'bool'}[t.dtype],
            'shape': list(t.shape),
            'values': [bool(v) if t.dtype == torch.bool else (v if v == v and abs(v) != float('inf') else str(v))
                       for v in t.reshape(-1).tolist()],
            'negzero': [i for i, v in enumerate(t.reshape(-1).tolist()) if v == 0 and str(v).startswith('-')],
            'text': str(t),
        })
    torch.set_default_dtype(torch.float64)
    return out


def creation_cases():
    """Values of creation functions, as PyTorch computes them."""
    f32 = torch.float32
    return {
        'arange': [
            {'args': [5], 'dtype': 'int64', 'values': torch.arange(5).tolist()},
            {'args': [2, 11, 3], 'dtype': 'int64', 'values': torch.arange(2, 11, 3).tolist()},
            {'args': [0, 1, 0.1], 'dtype': 'float32', 'values': torch.arange(0, 1, 0.1, dtype=f32).tolist()},
            {'args': [1.5, 4], 'dtype': 'float32', 'values': torch.arange(1.5, 4, dtype=f32).tolist()},
            {'args': [5, 0, -1.5], 'dtype': 'float32', 'values': torch.arange(5, 0, -1.5, dtype=f32).tolist()},
            {'args': [10, 2, -3], 'dtype': 'int64', 'values': torch.arange(10, 2, -3).tolist()},
        ],
        'linspace': [
            {'args': [0, 1, 5], 'values': torch.linspace(0, 1, 5, dtype=f32).tolist()},
            {'args': [-1, 1, 7], 'values': torch.linspace(-1, 1, 7, dtype=f32).tolist()},
            {'args': [2, 3, 1], 'values': torch.linspace(2, 3, 1, dtype=f32).tolist()},
            {'args': [0, 10, 11], 'values': torch.linspace(0, 10, 11, dtype=f32).tolist()},
            {'args': [0, 1, 0], 'values': torch.linspace(0, 1, 0, dtype=f32).tolist()},
        ],
        'eye': [
            {'args': [3], 'values': torch.eye(3).tolist()},
            {'args': [2, 4], 'values': torch.eye(2, 4).tolist()},
            {'args': [3, 2], 'values': torch.eye(3, 2).tolist()},
        ],
    }


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'tests', 'fixtures', 'ops')
    os.makedirs(outdir, exist_ok=True)
    total = 0
    for group, fn in GROUPS.items():
        cases = [run_case(*c) for c in fn()]
        total += len(cases)
        write_json(os.path.join(outdir, f'{group}.json'), {'torch': torch.__version__, 'cases': cases})
    write_json(os.path.join(outdir, 'sort-indices.json'), {'torch': torch.__version__, 'cases': index_cases()})
    write_json(os.path.join(outdir, 'format.json'), {'torch': torch.__version__, 'cases': format_cases()})
    write_json(os.path.join(outdir, 'creation.json'), {'torch': torch.__version__, **creation_cases()})
    print(f'wrote {total} op cases, format and creation fixtures to {os.path.normpath(outdir)}')


if __name__ == '__main__':
    main()
