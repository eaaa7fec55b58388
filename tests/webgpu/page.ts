// Runs in headless Chromium (served by tests/webgpu/harness.ts): the op fixtures and short training
// runs on the 'webgpu' device, checked against PyTorch's values and the CPU, then POSTs a report.
// Imports only browser-safe modules (no Node built-ins).
import '../../src/backend/ref/index.js';
import '../../src/autograd/index.js';
import { DeviceError, setDefaultDevice } from '../../src/backend/device.js';
import { initWebGPU, webgpuStats } from '../../src/backend/webgpu/index.js';
import { Trainer } from '../../src/train/trainer.js';
import { Generator } from '../../src/core/rng.js';
import * as tc from '../../src/tensor/creation.js';
import { Tensor } from '../../src/tensor/tensor.js';
import * as ops from '../../src/ops/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { GPU_OPS, type GpuCase } from './ops.js';
import { gemm, train as benchTrain, w4Net, w5Net } from '../../bench/gpu-cells.js';
import type { PageReport } from './report.js';

const GROUPS = ['elementwise', 'reduce', 'linalg', 'conv', 'shape', 'indexing'];
const TOL = { atol: 5e-4, rtol: 2e-3 };

function close(a: ArrayLike<number>, e: readonly number[], what: string): string | null {
  if (a.length !== e.length) return `${what}: ${a.length} elements, expected ${e.length}`;
  for (let i = 0; i < e.length; i++) {
    const x = Number(a[i]), y = e[i]!;
    const ok = (Number.isNaN(x) && Number.isNaN(y)) || x === y || Math.abs(x - y) <= TOL.atol + TOL.rtol * Math.abs(y);
    if (!ok) return `${what}: element ${i} is ${x}, expected ${y}`;
  }
  return null;
}

function leaf(values: readonly number[], shape: number[], transposed: boolean): Tensor {
  let t = tc.tensor(Float32Array.from(values), { shape, device: 'webgpu' });
  if (transposed && shape.length >= 2) t = t.transpose(-1, -2).contiguous().transpose(-1, -2);
  return t.detach().requiresGrad_(true);
}

async function runCase(c: GpuCase, transposed: boolean): Promise<string | null> {
  const op = GPU_OPS[c.op];
  if (!op) return `no op ${c.op}`;
  const xs = c.inputs.map((inp) => {
    if (inp.dtype === 'float64') return leaf(inp.values as number[], inp.shape, transposed);
    if (inp.dtype === 'bool') return tc.tensor(Uint8Array.from(inp.values as boolean[], (v) => (v ? 1 : 0)), { dtype: 'bool', shape: inp.shape, device: 'webgpu' });
    return tc.tensor(Int32Array.from(inp.values as number[]), { shape: inp.shape, device: 'webgpu' });
  });
  const out = op(xs, c.args);
  if (out.device !== 'webgpu') return `output on ${out.device}`;
  const bad = close(await out.dataAsync(), c.output.values, 'forward');
  if (bad) return bad;
  const w = tc.tensor(Float32Array.from(c.weights), { shape: c.output.shape, device: 'webgpu' });
  ops.sum(ops.mul(out, w)).backward();
  for (let i = 0; i < xs.length; i++) {
    const expected = c.grads[i];
    if (expected === null || expected === undefined) continue;
    const g = xs[i]!.grad;
    if (!g) return `input ${i} got no gradient`;
    const e = close(await g.dataAsync(), expected, `grad ${i}`);
    if (e) return e;
  }
  return null;
}

async function opSuite(report: PageReport): Promise<void> {
  for (const group of GROUPS) {
    const cases = ((await (await fetch(new URL(`../../../tests/fixtures/ops/${group}.json`, import.meta.url))).json()) as { cases: GpuCase[] }).cases;
    for (const layout of ['contiguous', 'transposed'] as const) {
      const failures: string[] = [];
      let ran = 0;
      for (const c of cases) {
        if (layout === 'transposed' && !c.inputs.some((i) => i.dtype === 'float64' && i.shape.length >= 2)) continue;
        ran++;
        try {
          const e = await runCase(c, layout === 'transposed');
          if (e) failures.push(`${c.name}: ${e}`);
        } catch (err) {
          failures.push(`${c.name}: ${(err as Error).stack ?? String(err)}`);
        }
      }
      report.groups.push({ group, layout, cases: ran, failures });
    }
  }
}

/** A few steps of a model on a device; returns the losses (read once, at the end). */
async function train(device: 'cpu' | 'webgpu', build: () => nn.Module, x: Tensor, y: Tensor, makeOpt: (m: nn.Module) => optim.Optimizer<never>, steps: number): Promise<number[]> {
  const model = build();
  const opt = makeOpt(model); // built before the move: its state must follow the parameters
  model.to(device);
  const xd = x.to(device), yd = y.to(device);
  const losses: Tensor[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = nn.F.crossEntropy(model.forward(xd) as Tensor, yd);
    loss.backward();
    opt.step();
    losses.push(loss.detach());
  }
  return Promise.all(losses.map((l) => l.itemAsync()));
}

async function training(report: PageReport): Promise<void> {
  const g = new Generator(7);
  const x = tc.randn([32, 1, 8, 8], { generator: g });
  const y = tc.randint(0, 4, [32], { generator: g });
  const cnn = (): nn.Module => {
    const m = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1, generator: new Generator(1) }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(64, 4, { generator: new Generator(2) }),
    );
    return m;
  };
  const mlp = (): nn.Module => new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 32, { generator: new Generator(3) }), new nn.Tanh(), new nn.Linear(32, 4, { generator: new Generator(4) }));
  const sgd = (m: nn.Module): optim.Optimizer<never> => new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9 }) as unknown as optim.Optimizer<never>;
  const adam = (m: nn.Module): optim.Optimizer<never> => new optim.Adam(m.parameters(), { lr: 0.01 }) as unknown as optim.Optimizer<never>;
  // The CNN has BatchNorm; its eval-mode forward (running statistics) runs on the GPU too.
  for (const [name, build, opt] of [['cnn+sgd', cnn, sgd], ['mlp+adam', mlp, adam]] as const) {
    const cpu = await train('cpu', build, x, y, opt, 15);
    const gpu = await train('webgpu', build, x, y, opt, 15);
    const worst = Math.max(...cpu.map((v, i) => Math.abs(v - gpu[i]!) / Math.max(1, Math.abs(v))));
    report.training.push({ name, cpu, gpu, worst });
  }
}

/** Trainer.fitAsync on the GPU against Trainer.fit on the CPU, counting read-backs. */
async function trainer(report: PageReport): Promise<void> {
  const g = new Generator(11);
  const batches = (device: 'cpu' | 'webgpu'): [Tensor, Tensor][] => {
    const gen = new Generator(5);
    return Array.from({ length: 8 }, () => [tc.randn([16, 12], { generator: gen }).to(device), tc.randint(0, 3, [16], { generator: gen }).to(device)] as [Tensor, Tensor]);
  };
  void g;
  const run = async (device: 'cpu' | 'webgpu'): Promise<{ loss: number[]; acc: number[]; testLoss: number[]; reads: number }> => {
    const model = new nn.Sequential(new nn.Linear(12, 8, { generator: new Generator(1) }), new nn.ReLU(), new nn.Linear(8, 3, { generator: new Generator(2) }));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    model.to(device);
    const train = Object.assign(batches(device), { length: 8 });
    const test = batches(device).slice(0, 2);
    const t = new Trainer({ model, lossFn: (o, y) => nn.F.crossEntropy(o, y), optimizer: opt });
    const before = webgpuStats().reads;
    const r = device === 'cpu' ? t.fit(train, test, { epochs: 2 }) : await t.fitAsync(train, test, { epochs: 2 });
    return { loss: r.trainLoss, acc: r.trainAcc, testLoss: r.testLoss, reads: webgpuStats().reads - before };
  };
  const cpu = await run('cpu');
  const gpu = await run('webgpu');
  const worst = Math.max(...cpu.loss.map((v, i) => Math.abs(v - gpu.loss[i]!)), ...cpu.testLoss.map((v, i) => Math.abs(v - gpu.testLoss[i]!)));
  const sameAcc = cpu.acc.every((v, i) => v === gpu.acc[i]);
  // 2 epochs x 8 steps: per evaluation point 2 reads for training (loss, correct) and 2 for the test pass.
  report.api.push({ name: 'Trainer.fitAsync on webgpu', ok: worst < 1e-4 && sameAcc && gpu.reads <= 8, detail: `cpu ${JSON.stringify(cpu)} gpu ${JSON.stringify(gpu)} worst ${worst}` });
}

async function expectThrow(name: string, f: () => unknown, pattern: RegExp, report: PageReport): Promise<void> {
  try {
    await f();
    report.api.push({ name, ok: false, detail: 'did not throw' });
  } catch (e) {
    const msg = (e as Error).message;
    report.api.push({ name, ok: e instanceof DeviceError && pattern.test(msg), detail: msg });
  }
}

async function deviceApi(report: PageReport): Promise<void> {
  const a = tc.tensor([[1, 2], [3, 4]], { device: 'webgpu' });
  const b = tc.tensor([[1, 2], [3, 4]]);
  report.api.push({ name: 'device field', ok: a.device === 'webgpu' && b.device === 'cpu', detail: `${a.device} ${b.device}` });
  await expectThrow('mixed devices', () => ops.add(a, b), /'webgpu' and 'cpu'/, report);
  await expectThrow('sync item', () => ops.sum(a).item(), /itemAsync/, report);
  await expectThrow('sync toArray', () => a.toArray(), /toArrayAsync/, report);
  await expectThrow('element access', () => a.data[0], /dataAsync/, report);
  await expectThrow('cuda', () => a.to('cuda' as 'webgpu'), /'webgpu'/, report);
  await expectThrow('sync cpu()', () => a.cpu(), /cpuAsync/, report);
  const back = await ops.mul(a, 2).cpuAsync();
  report.api.push({ name: 'cpuAsync', ok: back.device === 'cpu' && JSON.stringify(back.toArray()) === '[[2,4],[6,8]]', detail: JSON.stringify(back.toArray()) });
  report.api.push({ name: 'itemAsync', ok: (await ops.sum(a).itemAsync()) === 10, detail: String(await ops.sum(a).itemAsync()) });
  report.api.push({ name: 'scalar operand', ok: JSON.stringify(await ops.add(a, 1).toArrayAsync()) === '[[2,3],[4,5]]', detail: '' });
  await expectThrow('float64 on gpu', () => tc.zeros([2], { dtype: 'float64', device: 'webgpu' }), /float64/, report);
  setDefaultDevice('webgpu');
  const d = tc.ones([3]);
  setDefaultDevice('cpu');
  report.api.push({ name: 'default device', ok: d.device === 'webgpu' && tc.ones([1]).device === 'cpu', detail: d.device });
  const lin = new nn.Linear(3, 2);
  const p0 = [...lin.parameters()][0]!;
  lin.to('webgpu');
  report.api.push({ name: 'module.to keeps parameters', ok: [...lin.parameters()][0] === p0 && p0.device === 'webgpu', detail: p0.device });
  await lin.toAsync('cpu');
  report.api.push({ name: 'module.toAsync(cpu)', ok: p0.device === 'cpu' && p0.toTypedArray().length === 6, detail: p0.device });
}

/** The cells of npm run bench:gpu at toy sizes (W5 only when the page URL asks: ?w5, it is slow on SwiftShader). */
async function benchCells(report: PageReport): Promise<void> {
  const g = await gemm(96, 0.05);
  report.api.push({ name: 'bench:gpu W1 cell', ok: g.steps > 0 && g.maxErr < 1e-3 && g.gflops > 0, detail: JSON.stringify(g) });
  const w4 = await benchTrain('W4', w4Net, [4, 1, 28, 28], 0.01, false, 0.05);
  report.api.push({ name: 'bench:gpu W4 cell', ok: w4.steps > 0 && Number.isFinite(w4.lastLoss) && w4.samplesPerS > 0, detail: JSON.stringify(w4) });
  if ((globalThis as { location?: { search: string } }).location?.search.includes('w5')) {
    const w5 = await benchTrain('W5', w5Net, [2, 3, 32, 32], 1e-4, true, 0.05);
    report.api.push({ name: 'bench:gpu W5 cell', ok: w5.steps > 0 && Number.isFinite(w5.lastLoss), detail: JSON.stringify(w5) });
  }
}

async function main(): Promise<void> {
  const report: PageReport = { adapter: null, groups: [], training: [], api: [], error: null };
  try {
    report.adapter = await initWebGPU();
    if (report.adapter) {
      await deviceApi(report);
      await trainer(report);
      await benchCells(report);
      await opSuite(report);
      await training(report);
    }
  } catch (e) {
    report.error = (e as Error).stack ?? String(e);
  }
  await fetch('/report', { method: 'POST', body: JSON.stringify(report) });
}

void main();
