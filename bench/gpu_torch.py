#!/usr/bin/env python3
"""PyTorch CUDA side of `npm run bench:gpu` (driven by bench/gpu-run.sh).

Times torch.mm (W1) and W4 / W5 training steps on the same GPU as tsgrad's WebGPU run, with
TF32 off (both sides do float32 arithmetic), computes the chip's FP32 peak from its SM count and
clock, and prints the combined table with tsgrad's results (the JSON bench/gpu.ts wrote).

    python3 bench/gpu_torch.py TSGRAD_JSON [--out FILE.md] [--quick]
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_bench import optimizer_for, w4_net, w5_net  # noqa: E402  (the same models as `npm run bench`)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device('cuda')

# FP32 lanes per SM by compute capability (Volta/Ampere A100: 64; GA10x, Ada, Hopper: 128).
LANES = {(7, 0): 64, (7, 5): 64, (8, 0): 64, (8, 6): 128, (8, 7): 128, (8, 9): 128, (9, 0): 128}


def fp32_peak_gflops():
    p = torch.cuda.get_device_properties(0)
    try:
        mhz = float(subprocess.run(['nvidia-smi', '--query-gpu=clocks.max.sm', '--format=csv,noheader,nounits'],
                                   capture_output=True, text=True, check=True).stdout.split()[0])
    except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
        mhz = float('nan')
    lanes = LANES.get((p.major, p.minor), 128)
    return p.name, p.multi_processor_count, mhz, p.multi_processor_count * lanes * 2 * mhz / 1e3


def time_steps(step, warmup, seconds, block):
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    steps = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(block):
            step()
        torch.cuda.synchronize()
        steps += block
    return (time.perf_counter() - t0) / steps


def gemm(n, seconds):
    torch.manual_seed(n)
    a, b = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
    c = torch.empty(n, n, device=dev)
    return 2 * n ** 3 / time_steps(lambda: torch.mm(a, b, out=c), 3, seconds, 16) / 1e9


def train(group, shape, seconds):
    torch.manual_seed(0)
    model = (w4_net if group == 'W4' else w5_net)().to(dev).train()
    opt = optimizer_for(group, model.parameters())
    x = torch.rand(shape, device=dev)
    y = torch.randint(0, 10, (shape[0],), device=dev)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return shape[0] / time_steps(step, 3, seconds, 5)


def main():
    args = sys.argv[1:]
    quick = '--quick' in args
    out = args[args.index('--out') + 1] if '--out' in args else None
    with open(args[0]) as f:
        ts = json.load(f)
    name, sms, mhz, peak = fp32_peak_gflops()
    secs = 0.5 if quick else 2
    lines = ['# tsgrad WebGPU (Dawn, Vulkan) vs PyTorch CUDA on %s' % name, '',
             'torch %s, CUDA %s, TF32 off on both sides; FP32 peak %.0f GFLOP/s (%d SMs x lanes x 2 x %.0f MHz max SM clock)' % (
                 torch.__version__, torch.version.cuda, peak, sms, mhz),
             'tsgrad: Node %s, adapter %s' % (ts['node'], json.dumps(ts['adapter'])), '',
             '| cell | tsgrad webgpu | torch cuda | tsgrad / torch | tsgrad / FP32 peak |', '| --- | --- | --- | --- | --- |']
    for r in ts['gemm']:
        t = gemm(r['n'], secs)
        lines.append('| W1 n=%d GFLOP/s | %.1f | %.1f | %.3f | %.1f%% |' % (r['n'], r['gflops'], t, r['gflops'] / t, 100 * r['gflops'] / peak))
    for r in ts['train']:
        shape = (64, 1, 28, 28) if r['name'] == 'W4' else (32, 3, 32, 32)
        t = train(r['name'], shape, 2 if quick else 8)
        lines.append('| %s train samples/s | %.1f | %.1f | %.3f | |' % (r['name'], r['samplesPerS'], t, r['samplesPerS'] / t))
    text = '\n'.join(lines) + '\n'
    print(text)
    if out:
        with open(out, 'w') as f:
            f.write(text)


if __name__ == '__main__':
    main()
