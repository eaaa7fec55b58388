#!/usr/bin/env python3
"""PyTorch benchmark worker for `npm run bench` (bench/protocol.ts).

Run by the parent as /usr/bin/python3 bench/torch_bench.py, with Debian's
OpenMP build of OpenBLAS preloaded (LD_PRELOAD) and OMP_NUM_THREADS set; it
builds the same workloads as bench/tsgrad/models.ts with torch.nn modules and
torch.optim, which is how people use PyTorch, and answers the line protocol:
commands as JSON lines on stdin, replies as '@@bench {json}' lines on stdout.
"""
import json
import os
import resource
import sys
import time

MARK = '@@bench '


def send(msg):
    sys.stdout.write(MARK + json.dumps(msg) + '\n')
    sys.stdout.flush()


def rss_kib():
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf('SC_PAGE_SIZE') // 1024


def blas_library():
    """The shared object whose sgemm_ the process's global symbol lookup (hence torch) binds to."""
    import ctypes

    class DlInfo(ctypes.Structure):
        _fields_ = [('dli_fname', ctypes.c_char_p), ('dli_fbase', ctypes.c_void_p),
                    ('dli_sname', ctypes.c_char_p), ('dli_saddr', ctypes.c_void_p)]
    try:
        process = ctypes.CDLL(None)
        info = DlInfo()
        if ctypes.CDLL('libc.so.6').dladdr(ctypes.cast(process.sgemm_, ctypes.c_void_p), ctypes.byref(info)):
            return os.path.realpath(info.dli_fname.decode())
    except (AttributeError, OSError):
        pass
    with open('/proc/self/maps') as f:  # not preloaded: torch's own dependency, loaded locally
        libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
    return 'mapped: ' + (', '.join(sorted(libs)) or 'none')


try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the parent prints the install hint
    send({'type': 'error', 'message': 'PyTorch is not installed (%s): apt-get install python3-torch libopenblas0-openmp' % e})
    sys.exit(3)


def mlp(dims):
    layers = []
    for i in range(len(dims) - 1):
        layers.append(nn.Linear(dims[i], dims[i + 1]))
        if i + 2 < len(dims):
            layers.append(nn.ELU())
    return nn.Sequential(*layers)


def w4_net():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))


class PreAct(nn.Module):
    """x + conv3x3(ReLU(BatchNorm(x))), channels unchanged."""

    def __init__(self, c):
        super().__init__()
        self.bn = nn.BatchNorm2d(c)
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.conv(F.relu(self.bn(x)))


def w5_net():
    pool = lambda: nn.MaxPool2d(3, stride=2, padding=1)
    return nn.Sequential(
        nn.Conv2d(3, 64, 3, padding=1), PreAct(64),
        nn.Conv2d(64, 128, 1), pool(), PreAct(128), PreAct(128),
        nn.Conv2d(128, 256, 1), pool(), PreAct(256), PreAct(256),
        nn.Conv2d(256, 512, 1), pool(), PreAct(512), PreAct(512),
        pool(), PreAct(512), PreAct(512),
        pool(), nn.BatchNorm2d(512), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10))


def net_for(group):
    return {'W2': lambda: mlp([3072, 100, 10]), 'W3': lambda: mlp([3072, 600, 600, 200, 10]),
            'W4': w4_net, 'W5': w5_net}[group]()


def optimizer_for(group, params):
    if group == 'W2':
        return torch.optim.SGD(params, lr=1e-3)
    if group == 'W3':
        return torch.optim.Adam(params, lr=3e-4)
    if group == 'W4':
        return torch.optim.SGD(params, lr=0.01, momentum=0.9)
    return torch.optim.Adam(params, lr=1e-4)


def input_shape(group, batch, image):
    if group in ('W2', 'W3'):
        return (batch, 3072)
    return (batch, 1 if group == 'W4' else 3, image, image)


def build(spec, seed):
    torch.manual_seed(seed)
    if spec['kind'] == 'gemm':
        n = spec['n']
        a, b, c = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
        return lambda: torch.mm(a, b, out=c)
    group = spec['group']
    model = net_for(group)
    x = torch.rand(input_shape(group, spec['batch'], spec['image']))
    if spec['kind'] == 'infer':
        model.eval()

        def infer():
            with torch.inference_mode():
                model(x)
        return infer
    y = torch.randint(0, 10, (spec['batch'],))
    opt = optimizer_for(group, model.parameters())
    model.train()

    def train():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return train


def info():
    return {'subject': 'torch', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
            'blas': blas_library(), 'mkldnn': bool(torch.backends.mkldnn.is_available()),
            'python': sys.version.split()[0]}


def main():
    send({'type': 'ready', 'baseRssKiB': rss_kib(), 'info': info()})
    step = None
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            if cmd['cmd'] == 'setup':
                torch.set_num_threads(int(cmd['threads']))
                step = build(cmd['spec'], int(cmd['seed']))
                send({'type': 'setup', 'ok': True, 'info': info()})
            elif cmd['cmd'] == 'run':
                if step is None:
                    raise RuntimeError('run before a successful setup')
                times = []
                for _ in range(int(cmd['steps'])):
                    t0 = time.perf_counter()
                    step()
                    times.append(time.perf_counter() - t0)
                send({'type': 'run', 'times': times})
            else:
                send({'type': 'exit', 'maxRssKiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
                return
        except Exception as e:  # reported to the parent, which records the cell as failed
            send({'type': 'error', 'message': '%s: %s' % (type(e).__name__, e)})


if __name__ == '__main__':
    main()
