/**
 * The timed cells of `npm run bench:gpu` (bench/gpu.ts runs them in Node; they use no Node API, so a
 * browser page can smoke-test them): W1 GEMM and W4 / W5 training on the 'webgpu' device.
 */
// Module by module (not src/index.js), so that a browser page can import this file.
import '../src/autograd/index.js';
import { synchronize } from '../src/backend/webgpu/index.js';
import { Generator, manualSeed } from '../src/core/rng.js';
import * as creation from '../src/tensor/creation.js';
import type { Tensor } from '../src/tensor/tensor.js';
import * as ops from '../src/ops/index.js';
import * as nn from '../src/nn/index.js';
import * as optim from '../src/optim/index.js';

const tg = { ...creation, ...ops, synchronize, Generator, manualSeed, optim, nn };

/** x + conv3x3(ReLU(BatchNorm(x))), channels unchanged (W5's pre-activation block). */
class PreAct extends nn.Module {
  bn: nn.BatchNorm2d;
  conv: nn.Conv2d;
  constructor(c: number) {
    super();
    this.bn = new nn.BatchNorm2d(c);
    this.conv = new nn.Conv2d(c, c, 3, { padding: 1 });
  }

  forward(x: Tensor): Tensor {
    return tg.add(x, this.conv.forward(tg.relu(this.bn.forward(x))));
  }
}

/** W4: 2 conv, 2 pool, 2 linear on 28×28×1. */
export function w4Net(): nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(3136, 128), new nn.ReLU(), new nn.Linear(128, 10),
  );
}

/** W5: pre-activation VGG on 32×32×3 with BatchNorm. */
export function w5Net(): nn.Module {
  const pool = (): nn.Module => new nn.MaxPool2d(3, { stride: 2, padding: 1 });
  return new nn.Sequential(
    new nn.Conv2d(3, 64, 3, { padding: 1 }), new PreAct(64),
    new nn.Conv2d(64, 128, 1), pool(), new PreAct(128), new PreAct(128),
    new nn.Conv2d(128, 256, 1), pool(), new PreAct(256), new PreAct(256),
    new nn.Conv2d(256, 512, 1), pool(), new PreAct(512), new PreAct(512),
    pool(), new PreAct(512), new PreAct(512),
    pool(), new nn.BatchNorm2d(512), new nn.ReLU(), new nn.Flatten(), new nn.Linear(512, 10),
  );
}

/** Runs `step` until `seconds` have passed (after `warmup` steps), syncing at the end of each block; returns seconds per step. */
async function timeSteps(step: () => void, warmup: number, seconds: number, block: number): Promise<{ perStep: number; steps: number }> {
  for (let i = 0; i < warmup; i++) step();
  await tg.synchronize();
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let i = 0; i < block; i++) step();
    await tg.synchronize();
    steps += block;
  }
  return { perStep: (performance.now() - t0) / 1000 / steps, steps };
}

/** GFLOP/s of n×n float32 products into a reused result, with a spot check of row 0 against the CPU. */
export async function gemm(n: number, seconds: number): Promise<{ n: number; gflops: number; steps: number; maxErr: number }> {
  const g = new tg.Generator(n);
  const a = tg.randn([n, n], { generator: g, device: 'webgpu' });
  const b = tg.randn([n, n], { generator: g, device: 'webgpu' });
  const c = tg.zeros([n, n], { device: 'webgpu' });
  const t = await timeSteps(() => void tg.matmul(a, b, { out: c }), 3, seconds, n >= 2048 ? 4 : 16);
  // Spot check one row against the CPU (float32 tolerance scaled by n).
  const row = await c.narrow(0, 0, 1).dataAsync();
  const ref = tg.matmul((await a.narrow(0, 0, 1).cpuAsync()), await b.cpuAsync()).toTypedArray();
  let maxErr = 0;
  for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(row[i]! - ref[i]!));
  return { n, gflops: (2 * n ** 3) / t.perStep / 1e9, steps: t.steps, maxErr };
}

/** Training samples/s of a model on 'webgpu' (loss read once at the end). */
export async function train(name: string, build: () => nn.Module, shape: number[], lr: number, adam: boolean, seconds: number): Promise<{ name: string; samplesPerS: number; steps: number; firstLoss: number; lastLoss: number }> {
  tg.manualSeed(0);
  const model = build();
  model.to('webgpu');
  const opt = adam ? new tg.optim.Adam(model.parameters(), { lr }) : new tg.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const g = new tg.Generator(1);
  const x = tg.rand(shape, { generator: g, device: 'webgpu' });
  const y = tg.randint(0, 10, [shape[0]!], { generator: g, device: 'webgpu' });
  let last: Tensor | null = null;
  let first: Tensor | null = null;
  const step = (): void => {
    opt.zeroGrad();
    const loss = tg.nn.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    last = loss.detach();
    first ??= last;
  };
  const t = await timeSteps(step, 3, seconds, 5);
  return { name, samplesPerS: shape[0]! / t.perStep, steps: t.steps, firstLoss: await first!.itemAsync(), lastLoss: await last!.itemAsync() };
}

