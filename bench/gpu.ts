/**
 * tsgrad's side of `npm run bench:gpu` (driven by bench/gpu-run.sh): W1 GEMM GFLOP/s and W4 / W5
 * training samples/s on the 'webgpu' device, in Node through Dawn (the `webgpu` package, or a
 * dawn.node named by TSGRAD_DAWN_NODE). Models are built with nn modules and optimizers as a user
 * would; the loss is read back once per timed block, never per step. Writes one JSON object.
 *
 *   node dist/bench/gpu.js [--out FILE] [--quick]
 */
import { writeFileSync } from 'node:fs';
import * as tg from '../src/index.js';

const nn = tg.nn;

/** x + conv3x3(ReLU(BatchNorm(x))), channels unchanged (W5's pre-activation block). */
class PreAct extends nn.Module {
  bn: tg.nn.BatchNorm2d;
  conv: tg.nn.Conv2d;
  constructor(c: number) {
    super();
    this.bn = new nn.BatchNorm2d(c);
    this.conv = new nn.Conv2d(c, c, 3, { padding: 1 });
  }

  forward(x: tg.Tensor): tg.Tensor {
    return tg.add(x, this.conv.forward(tg.relu(this.bn.forward(x))));
  }
}

function w4Net(): tg.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(3136, 128), new nn.ReLU(), new nn.Linear(128, 10),
  );
}

function w5Net(): tg.nn.Module {
  const pool = (): tg.nn.Module => new nn.MaxPool2d(3, { stride: 2, padding: 1 });
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

async function gemm(n: number, seconds: number): Promise<{ n: number; gflops: number; steps: number; maxErr: number }> {
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

async function train(name: string, build: () => tg.nn.Module, shape: number[], lr: number, adam: boolean, seconds: number): Promise<{ name: string; samplesPerS: number; steps: number; firstLoss: number; lastLoss: number }> {
  tg.manualSeed(0);
  const model = build();
  model.to('webgpu');
  const opt = adam ? new tg.optim.Adam(model.parameters(), { lr }) : new tg.optim.SGD(model.parameters(), { lr, momentum: 0.9 });
  const g = new tg.Generator(1);
  const x = tg.rand(shape, { generator: g, device: 'webgpu' });
  const y = tg.randint(0, 10, [shape[0]!], { generator: g, device: 'webgpu' });
  let last: tg.Tensor | null = null;
  let first: tg.Tensor | null = null;
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const info = await tg.initWebGPU();
  if (!info) {
    console.error('bench:gpu: no WebGPU adapter (Dawn found no Vulkan driver, or dawn.node is missing: set TSGRAD_DAWN_NODE or install the `webgpu` package)');
    process.exit(2);
  }
  console.log(`bench:gpu: adapter ${JSON.stringify(info)}`);
  const secs = quick ? 0.5 : 2;
  const result: Record<string, unknown> = { adapter: info, node: process.version, gemm: [], train: [] };
  for (const n of quick ? [256, 1024] : [256, 512, 1024, 2048, 4096]) {
    const r = await gemm(n, secs);
    console.log(`W1 n=${n}: ${r.gflops.toFixed(1)} GFLOP/s (${r.steps} products, max |err| of row 0 vs CPU ${r.maxErr.toExponential(2)})`);
    (result['gemm'] as unknown[]).push(r);
  }
  for (const [name, build, shape, lr, adam] of [
    ['W4', w4Net, [64, 1, 28, 28], 0.01, false],
    ['W5', w5Net, [32, 3, 32, 32], 1e-4, true],
  ] as const) {
    const r = await train(name, build, [...shape], lr, adam, quick ? 2 : 8);
    console.log(`${name} train: ${r.samplesPerS.toFixed(1)} samples/s (${r.steps} steps, loss ${r.firstLoss.toFixed(4)} -> ${r.lastLoss.toFixed(4)})`);
    (result['train'] as unknown[]).push(r);
  }
  const text = JSON.stringify(result, null, 1);
  if (out) writeFileSync(out, text);
  else console.log(text);
}

await main();
