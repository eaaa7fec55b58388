import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose } from '../helpers.js';
import { T, build, fixture, stateOf, type Ctor, type TJ } from './fixtures.js';

interface Run {
  input: TJ;
  output: TJ;
  w: TJ;
  grads: Record<string, TJ>;
}
interface LayerCase extends Run {
  name: string;
  ctor: Ctor;
  params: Record<string, TJ>;
}
interface BNCase {
  name: string;
  ctor: Ctor;
  params: Record<string, TJ>;
  warmup: TJ[];
  train: Run;
  stateAfter: Record<string, TJ>;
  eval: Run;
}

const fx = fixture<{ layers: LayerCase[]; batchnorm: BNCase[] }>('layers.json');

const TOL = {
  float64: { atol: 1e-10, rtol: 1e-8 },
  float32: { atol: 2e-5, rtol: 2e-4 },
};

/** Runs forward and backward of sum(y·w) and compares output and every gradient with the fixture. */
function check(m: nn.Module, run: Run, dtype: 'float32' | 'float64', label: string): void {
  const x = T(run.input, dtype).requiresGrad_();
  const y = m.forward(x);
  assertClose(y, T(run.output), { ...TOL[dtype], msg: `${label} output` });
  m.zeroGrad();
  y.mul(T(run.w, dtype)).sum().backward();
  assertClose(x.grad!, T(run.grads['input']!), { ...TOL[dtype], msg: `${label} input grad` });
  const params = new Map(m.namedParameters());
  for (const [name, g] of Object.entries(run.grads)) {
    if (name === 'input') continue;
    const p = params.get(name);
    assert.ok(p, `${label}: no parameter ${name}`);
    assertClose(p.grad!, T(g), { ...TOL[dtype], msg: `${label} ${name} grad` });
  }
  assert.deepEqual([...params.keys()].sort(), Object.keys(run.grads).filter((k) => k !== 'input').sort(), `${label}: parameter names`);
}

describe('layers against PyTorch (forward and gradients with given weights)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of fx.layers) {
      for (const impl of c.ctor.type === 'LayerNorm' ? (['kernels', 'autograd'] as const) : ([undefined] as const)) {
        const label = `${c.name} ${dtype}${impl ? ` ${impl}` : ''}`;
        it(label, () => {
          const m = build(c.ctor, dtype, impl ? { impl } : {});
          m.loadStateDict(stateOf(c.params, dtype));
          check(m, c, dtype, label);
        });
      }
    }
  }
});

describe('BatchNorm against PyTorch: training steps, running statistics, eval mode', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of fx.batchnorm) {
      for (const impl of ['kernels', 'function', 'autograd'] as const) {
        const label = `${c.name} ${dtype} ${impl}`;
        it(label, () => {
          const m = build(c.ctor, dtype, { impl });
          m.loadStateDict(stateOf(c.params, dtype));
          m.train();
          for (const x of c.warmup) tg.noGrad(() => m.forward(T(x, dtype)));
          check(m, c.train, dtype, `${label} train`);
          const sd = m.stateDict();
          assert.deepEqual([...sd.keys()], Object.keys(c.stateAfter), `${label} state-dict keys`);
          for (const [k, v] of Object.entries(c.stateAfter)) assertClose(sd.get(k)!, T(v), { ...TOL[dtype], msg: `${label} ${k}` });
          m.eval();
          check(m, c.eval, dtype, `${label} eval`);
          // Eval mode must not touch the running statistics.
          for (const [k, v] of Object.entries(c.stateAfter)) assertClose(m.stateDict().get(k)!, T(v), { ...TOL[dtype], msg: `${label} ${k} after eval` });
        });
      }
    }
  }

  it('rejects inputs of the wrong rank or channel count, naming the layer and shapes', () => {
    const bn = new nn.BatchNorm2d(3);
    assert.throws(() => bn.forward(tg.zeros([2, 4, 2, 2])), /BatchNorm2d\(3\): expected input \[N, 3, H, W\], got \[2,4,2,2\]/);
    assert.throws(() => new nn.BatchNorm1d(3).forward(tg.zeros([2, 3, 2, 2])), /BatchNorm1d\(3\): expected input \[N, 3\] or \[N, 3, L\], got \[2,3,2,2\]/);
    assert.throws(() => bn.forward(tg.zeros([1, 3, 1, 1])), /more than 1 value per channel/);
    assert.throws(() => new nn.LayerNorm([3, 4]).forward(tg.zeros([2, 4, 3])), /does not end with the normalized shape \[3,4\]/);
    assert.throws(() => new nn.Linear(3, 2).forward(tg.zeros([2, 4])), /Linear\(3, 2\): expected input \[\.\.\., 3\], got \[2,4\]/);
    assert.throws(() => new nn.Conv2d(3, 2, 3).forward(tg.zeros([1, 2, 5, 5])), /Conv2d\(3, 2\): expected input \[N, 3, H, W\], got \[1,2,5,5\]/);
  });
});
