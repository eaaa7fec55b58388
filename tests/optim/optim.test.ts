import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { optimizerStateFromJSON, optimizerStateToJSON } from '../../src/io/index.js';
import { assertClose } from '../helpers.js';
import { T, fixture, type TJ } from '../nn/fixtures.js';

interface OptCase {
  name: string;
  cls: 'SGD' | 'RMSprop' | 'Adam' | 'AdamW' | 'Adagrad';
  opts: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  trajectory: { w: TJ; b: TJ }[];
}
interface SchedCase {
  name: string;
  cls: 'StepLR' | 'CosineAnnealingLR' | 'MultiStepLR' | 'ExponentialLR' | 'LinearLR';
  opts: Record<string, unknown>;
  baseLrs: number[];
  lrs: number[][];
}
const fx = fixture<{ problem: Record<'x' | 'y' | 'w' | 'b', TJ>; cases: OptCase[]; schedulers: SchedCase[] }>('optim.json');

const x = T(fx.problem.x);
const y = T(fx.problem.y);

/** The fixture's loss: mean((tanh(x·w + b) − y)²). */
function loss(w: tg.Tensor, b: tg.Tensor): tg.Tensor {
  return x.matmul(w).add(b).tanh().sub(y).square().mean();
}

function make(c: OptCase, w: tg.Tensor, b: tg.Tensor): optim.Optimizer {
  const params = c.groups ? [{ params: [w], ...c.groups[0] }, { params: [b], ...c.groups[1] }] : [w, b];
  const ctors = {
    SGD: () => new optim.SGD(params as never, c.opts as { lr: number }),
    RMSprop: () => new optim.RMSprop(params as never, c.opts),
    Adam: () => new optim.Adam(params as never, c.opts),
    AdamW: () => new optim.AdamW(params as never, c.opts),
    Adagrad: () => new optim.Adagrad(params as never, c.opts),
  };
  return ctors[c.cls]();
}

function stepOnce(opt: optim.Optimizer, w: tg.Tensor, b: tg.Tensor): void {
  opt.zeroGrad();
  loss(w, b).backward();
  opt.step();
}

describe('optimizer trajectories match PyTorch', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const w = T(fx.problem.w).requiresGrad_();
      const b = T(fx.problem.b).requiresGrad_();
      const opt = make(c, w, b);
      c.trajectory.forEach((s, i) => {
        stepOnce(opt, w, b);
        assertClose(w, T(s.w), { atol: 1e-12, rtol: 1e-10, msg: `${c.name} step ${i + 1} w` });
        assertClose(b, T(s.b), { atol: 1e-12, rtol: 1e-10, msg: `${c.name} step ${i + 1} b` });
      });
    });
  }

  it('float32 parameters follow the same trajectory to float32 precision', () => {
    const c = fx.cases.find((k) => k.name === 'adam_wd_amsgrad')!;
    const w = T(fx.problem.w, 'float32').requiresGrad_();
    const b = T(fx.problem.b, 'float32').requiresGrad_();
    const opt = make(c, w, b);
    const xf = x.float();
    const yf = y.float();
    for (const s of c.trajectory) {
      opt.zeroGrad();
      xf.matmul(w).add(b).tanh().sub(yf).square().mean().backward();
      opt.step();
      assertClose(w, T(s.w), { atol: 1e-5, rtol: 1e-4 });
    }
  });
});

describe('optimizer state dicts', () => {
  for (const name of ['sgd_nesterov', 'rmsprop_all', 'adam_wd_amsgrad', 'adamw', 'adagrad_all']) {
    it(`${name}: stopping after 3 steps and resuming from the state dict (through JSON) gives the same trajectory`, () => {
      const c = fx.cases.find((k) => k.name === name)!;
      const w = T(fx.problem.w).requiresGrad_();
      const b = T(fx.problem.b).requiresGrad_();
      const opt = make(c, w, b);
      for (let i = 0; i < 3; i++) stepOnce(opt, w, b);
      const json = JSON.parse(JSON.stringify(optimizerStateToJSON(opt.stateDict())));
      // A fresh optimizer with default hyperparameters: loading must restore them too.
      const w2 = w.detach().clone().requiresGrad_();
      const b2 = b.detach().clone().requiresGrad_();
      const fresh = make({ ...c, opts: c.cls === 'SGD' ? { lr: 1, momentum: 0.1 } : {} }, w2, b2);
      fresh.loadStateDict(optimizerStateFromJSON(json));
      assert.deepEqual(fresh.paramGroups.map((g) => g.lr), opt.paramGroups.map((g) => g.lr));
      for (let i = 3; i < c.trajectory.length; i++) {
        stepOnce(fresh, w2, b2);
        assertClose(w2, T(c.trajectory[i]!.w), { atol: 1e-12, rtol: 1e-10, msg: `${name} resumed step ${i + 1}` });
        assertClose(b2, T(c.trajectory[i]!.b), { atol: 1e-12, rtol: 1e-10 });
      }
    });
  }

  it('state tensors are copies, params are indices, and mismatched groups are refused', () => {
    const w = tg.zeros([2], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1 });
    w.sum().backward();
    opt.step();
    const sd = opt.stateDict();
    assert.deepEqual(sd.paramGroups[0]!.params, [0]);
    assert.equal(sd.state[0]!['step'], 1);
    const m = sd.state[0]!['exp_avg'] as tg.Tensor;
    assertClose(m, [0.1, 0.1]);
    tg.noGrad(() => m.fill_(9));
    assertClose(opt.state.get(w)!['exp_avg'] as tg.Tensor, [0.1, 0.1]);
    const other = new optim.Adam([tg.zeros([2], { requiresGrad: true }), tg.zeros([1], { requiresGrad: true })]);
    assert.throws(() => other.loadStateDict(sd), /group 0 has 1 parameters in the state dict but 2 in the optimizer/);
  });
});

describe('optimizer behaviour and bad input', () => {
  it('skips parameters without gradients and zeroGrad clears them', () => {
    const a = tg.tensor([1, 2], { requiresGrad: true });
    const b = tg.tensor([3], { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 0.5 });
    a.mul(a).sum().backward();
    opt.step();
    assertClose(a, [0, 0]); // a − 0.5·2a
    assertClose(b, [3]);
    opt.zeroGrad();
    assert.equal(a.grad, null);
  });

  it('updates in place and bumps the version, so a stale graph is caught', () => {
    const lin = new nn.Linear(2, 1);
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    const w = lin.weight;
    const out = lin.forward(tg.ones([1, 2])).sum();
    out.backward(null, { retainGraph: true });
    opt.step();
    assert.equal(lin.weight, w);
    assert.throws(() => out.backward(), /modified by an in-place operation/);
  });

  it('rejects bad hyperparameters and parameters with clear errors', () => {
    const p = () => [tg.zeros([1], { requiresGrad: true })];
    assert.throws(() => new optim.SGD(p(), { lr: -1 }), /SGD: invalid learning rate -1/);
    assert.throws(() => new optim.SGD(p(), { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum > 0 and zero dampening/);
    assert.throws(() => new optim.Adam(p(), { betas: [0.9, 1] }), /Adam: betas must be two numbers in \[0, 1\), got \[0\.9,1\]/);
    assert.throws(() => new optim.RMSprop(p(), { alpha: -0.1 }), /RMSprop: invalid alpha -0\.1/);
    assert.throws(() => new optim.Adam([]), /Adam: got an empty parameter list/);
    assert.throws(() => new optim.Adam([tg.zeros([1], { dtype: 'int32' })]), /can only optimize float tensors/);
    const q = tg.zeros([1], { requiresGrad: true });
    assert.throws(() => new optim.SGD([{ params: [q] }, { params: [q] }], { lr: 1 }), /more than one parameter group/);
    assert.throws(() => new optim.SGD([q.mul(2)], { lr: 1 }), /can't optimize a non-leaf tensor/);
  });
});

describe('learning-rate schedulers match PyTorch', () => {
  for (const c of fx.schedulers) {
    it(c.name, () => {
      const opt = new optim.SGD([{ params: [tg.zeros([1], { requiresGrad: true })] }, { params: [tg.zeros([1], { requiresGrad: true })], lr: 0.02 }], { lr: 0.1 });
      const ctors = {
        StepLR: () => new optim.StepLR(opt, c.opts as never),
        CosineAnnealingLR: () => new optim.CosineAnnealingLR(opt, c.opts as never),
        MultiStepLR: () => new optim.MultiStepLR(opt, c.opts as never),
        ExponentialLR: () => new optim.ExponentialLR(opt, c.opts as never),
        LinearLR: () => new optim.LinearLR(opt, c.opts as never),
      };
      const s = ctors[c.cls]();
      const got = [s.getLastLr()];
      for (let i = 1; i < c.lrs.length; i++) {
        opt.step();
        s.step();
        got.push(s.getLastLr());
        assert.deepEqual(opt.paramGroups.map((g) => g.lr), got[i]);
      }
      assertClose(got, c.lrs, { atol: 1e-12, rtol: 1e-9 });
    });
  }

  it('round-trips its state dict (resume mid-schedule)', () => {
    const mk = () => new optim.SGD([tg.zeros([1], { requiresGrad: true })], { lr: 0.1 });
    const o1 = mk();
    const s1 = new optim.CosineAnnealingLR(o1, { tMax: 5, etaMin: 0.01 });
    for (let i = 0; i < 3; i++) s1.step();
    const o2 = mk();
    const s2 = new optim.CosineAnnealingLR(o2, { tMax: 5, etaMin: 0.01 });
    s2.loadStateDict(JSON.parse(JSON.stringify(s1.stateDict())));
    assert.equal(o2.paramGroups[0]!.lr, o1.paramGroups[0]!.lr);
    s1.step();
    s2.step();
    assert.deepEqual(s2.getLastLr(), s1.getLastLr());
    const c = fx.schedulers.find((k) => k.name === 'cosine')!;
    assert.ok(Math.abs(s2.getLastLr()[0]! - c.lrs[4]![0]!) < 1e-12);
  });
});

interface PlateauCase {
  name: string;
  opts: optim.ReduceLROnPlateauOptions;
  metrics: number[];
  lrs: number[][];
}

describe('ReduceLROnPlateau matches PyTorch', () => {
  const cases = fixture<{ plateau: PlateauCase[] }>('optim.json').plateau;
  for (const c of cases) {
    it(c.name, () => {
      const opt = new optim.SGD([{ params: [tg.zeros([1], { requiresGrad: true })] }, { params: [tg.zeros([1], { requiresGrad: true })], lr: 0.02 }], { lr: 0.1 });
      const s = new optim.ReduceLROnPlateau(opt, c.opts);
      const got = c.metrics.map((m) => {
        s.step(m);
        return s.getLastLr();
      });
      assertClose(got, c.lrs, { atol: 1e-15, rtol: 1e-12 });
    });
  }

  it('resumes from its state dict through JSON and rejects bad metrics', () => {
    const c = cases[0]!;
    const mk = () => new optim.SGD([{ params: [tg.zeros([1], { requiresGrad: true })] }, { params: [tg.zeros([1], { requiresGrad: true })], lr: 0.02 }], { lr: 0.1 });
    const o1 = mk();
    const s1 = new optim.ReduceLROnPlateau(o1, c.opts);
    c.metrics.slice(0, 7).forEach((m) => s1.step(m));
    const o2 = mk();
    o2.paramGroups.forEach((g, i) => (g.lr = o1.paramGroups[i]!.lr));
    const s2 = new optim.ReduceLROnPlateau(o2, c.opts);
    s2.loadStateDict(JSON.parse(JSON.stringify(s1.stateDict())));
    const rest = c.metrics.slice(7).map((m) => {
      s2.step(m);
      return s2.getLastLr();
    });
    assertClose(rest, c.lrs.slice(7), { atol: 1e-15 });
    assert.throws(() => s2.step(NaN), /expected a numeric metric, got NaN/);
    assert.throws(() => new optim.ReduceLROnPlateau(mk(), { factor: 1 }), /factor must be in \[0, 1\), got 1/);
  });
});

interface OneCycleCase {
  name: string;
  adam: boolean;
  opts: optim.OneCycleLROptions;
  lrs: number[][];
  momenta: number[][];
}

describe('OneCycleLR matches PyTorch (rates and cycled momentum)', () => {
  for (const c of fixture<{ onecycle: OneCycleCase[] }>('optim.json').onecycle) {
    it(c.name, () => {
      const groups = [{ params: [tg.zeros([1], { requiresGrad: true })] }, { params: [tg.zeros([1], { requiresGrad: true })] }];
      const opt: optim.Optimizer = c.adam ? new optim.Adam(groups, { lr: 0.1 }) : new optim.SGD(groups, { lr: 0.1, momentum: 0.9 });
      const s = new optim.OneCycleLR(opt, c.opts);
      const mom = () => opt.paramGroups.map((g) => (c.adam ? (g as unknown as optim.AdamOptions).betas[0] : (g as unknown as optim.SGDOptions).momentum));
      const lrs = [s.getLastLr()];
      const moms = [mom()];
      for (let i = 1; i < c.lrs.length; i++) {
        s.step();
        lrs.push(s.getLastLr());
        moms.push(mom());
      }
      assertClose(lrs, c.lrs, { atol: 1e-15, rtol: 1e-10 });
      assertClose(moms, c.momenta, { atol: 1e-15, rtol: 1e-10 });
      assert.throws(() => {
        s.step();
        s.step();
      }, /OneCycleLR: stepped \d+ times, but totalSteps is \d+/);
    });
  }
});
