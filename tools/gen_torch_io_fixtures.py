#!/usr/bin/python3
"""Writes the .pth fixtures that tests/io/torch.test.ts reads (Debian's python3-torch), and checks
that a file written by tsgrad's saveTorch loads in torch.load (needs `npx tsc` first).

    /usr/bin/python3 tools/gen_torch_io_fixtures.py
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'io')
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)


def tj(t):
    t = t.detach()
    if t.dtype == torch.bool:
        dt = 'bool'
    elif t.dtype in (torch.int64, torch.int32, torch.uint8):
        dt = 'int32'
    elif t.dtype == torch.float64:
        dt = 'float64'
    else:
        dt = 'float32'
    vals = t.to(torch.float64).flatten().tolist() if dt.startswith('float') else t.to(torch.int64).flatten().tolist()
    return {'dtype': dt, 'shape': list(t.shape), 'data': vals}


# 1. Every supported dtype, views into one shared storage, non-contiguous strides, nested dicts, a
#    Parameter and a module state dict (an OrderedDict with _metadata).
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 7
lin = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
sd = collections.OrderedDict()
sd['f32'] = torch.randn(2, 3)
sd['f64'] = torch.randn(3, dtype=torch.float64)
sd['f16'] = torch.tensor([1.5, -2.25, 65504.0, 6e-5], dtype=torch.float16)
sd['bf16'] = torch.tensor([1.5, -3.0, 1e30], dtype=torch.bfloat16)
sd['i64'] = torch.tensor([[1, -2], [2147483647, -2147483648]], dtype=torch.int64)
sd['i32'] = torch.tensor([7, -8], dtype=torch.int32)
sd['u8'] = torch.tensor([0, 255, 3], dtype=torch.uint8)
sd['bool'] = torch.tensor([True, False, True])
sd['scalar'] = torch.tensor(3.25)
sd['empty'] = torch.zeros(0, 3)
sd['shared.base'] = base
sd['shared.row'] = base[2]              # offset view into the same storage
sd['shared.transposed'] = base.t()      # non-contiguous strides
sd['shared.strided'] = base[:, ::2]     # non-unit inner stride with an offset-free view
sd['shared.corner'] = base[1:3, 2:5]    # offset and strides
sd['param'] = torch.nn.Parameter(torch.randn(2, 2))
ckpt = {'model': lin.state_dict(), 'tensors': sd, 'epoch': 3, 'name': 'fixture', 'lr': 0.1, 'list': [torch.ones(2)]}
torch.save(ckpt, os.path.join(OUT, 'checkpoint.pth'))

expected = {}
for k, v in lin.state_dict().items():
    expected['model.' + k] = tj(v)
for k, v in sd.items():
    expected['tensors.' + k] = tj(v)
expected['list.0'] = tj(torch.ones(2))
with open(os.path.join(OUT, 'checkpoint.json'), 'w') as f:
    json.dump({'order': list(expected.keys()), 'tensors': expected}, f)

# 2. A whole pickled module (not a state dict): refused, naming torch.nn.modules.linear.Linear.
torch.save(torch.nn.Linear(2, 1), os.path.join(OUT, 'module.pth'))
# 3. An int16 tensor: ShortStorage is not supported.
torch.save({'s': torch.tensor([1, 2], dtype=torch.int16)}, os.path.join(OUT, 'int16.pth'))
# 4. int64 beyond the int32 range.
torch.save({'big': torch.tensor([2 ** 40])}, os.path.join(OUT, 'int64_big.pth'))

# 5. torch.load reads what tsgrad's saveTorch writes.
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, 'from_tsgrad.pth')
    script = (
        "import * as io from './dist/src/io/index.js'; import * as tg from './dist/src/index.js';"
        "io.saveTorch(new Map([['a.weight', tg.tensor([[1.5, -2], [3, 4.25]])], ['a.f64', tg.tensor([1, 2, 3], {dtype: 'float64'})],"
        "['n', tg.tensor([5, -6], {dtype: 'int32'})], ['b', tg.tensor([1, 0, 1], {dtype: 'bool'})], ['s', tg.tensor(2.5)]]), process.argv[1]);"
    )
    subprocess.run(['node', '--input-type=module', '-e', script, path], cwd=ROOT, check=True)
    got = torch.load(path)
    assert list(got.keys()) == ['a.weight', 'a.f64', 'n', 'b', 's'], list(got.keys())
    assert torch.equal(got['a.weight'], torch.tensor([[1.5, -2], [3, 4.25]]))
    assert got['a.f64'].dtype == torch.float64 and torch.equal(got['a.f64'], torch.tensor([1., 2, 3], dtype=torch.float64))
    assert got['n'].dtype == torch.int32 and got['n'].tolist() == [5, -6]
    assert got['b'].dtype == torch.bool and got['b'].tolist() == [True, False, True]
    assert got['s'].shape == () and got['s'].item() == 2.5
    m = torch.nn.Linear(2, 2, bias=False)
    m.load_state_dict({'weight': got['a.weight']})
    print('torch.load read the file saveTorch wrote:', {k: tuple(v.shape) for k, v in got.items()})
print('wrote', sorted(os.listdir(OUT)))
