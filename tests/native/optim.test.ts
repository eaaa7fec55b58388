import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdamStepParams, SgdStepParams, View } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { Rng, close, makeView, nat, read, skip } from './util.js';

/** The documented Adam formula in plain double arithmetic, storing into typed arrays like the kernel. */
function adamRef(p: View, g: View, m: View, v: View, vmax: View | null, h: AdamStepParams): void {
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < p.data.length; i++) {
    const pi = p.data[i]! * (h.decoupled ? 1 - h.lr * h.weightDecay : 1);
    const gi = sign * g.data[i]! + (h.decoupled ? 0 : h.weightDecay) * pi;
    m.data[i] = h.beta1 * m.data[i]! + (1 - h.beta1) * gi;
    v.data[i] = h.beta2 * v.data[i]! + (1 - h.beta2) * gi * gi;
    let vh = v.data[i]!;
    if (vmax) {
      vmax.data[i] = Math.max(vmax.data[i]!, vh);
      vh = vmax.data[i]!;
    }
    p.data[i] = pi - (h.stepSize * m.data[i]!) / (Math.sqrt(vh) / h.bc2Sqrt + h.eps);
  }
}

function sgdRef(p: View, g: View, b: View | null, h: SgdStepParams): void {
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < p.data.length; i++) {
    let d = sign * g.data[i]! + h.weightDecay * p.data[i]!;
    if (b) {
      b.data[i] = h.firstStep ? d : h.momentum * b.data[i]! + (1 - h.dampening) * d;
      d = h.nesterov ? d + h.momentum * b.data[i]! : b.data[i]!;
    }
    p.data[i] = p.data[i]! - h.lr * d;
  }
}

const copyOf = (v: View): View => ({ ...v, data: v.data.slice() });

test('native adamStep matches the Adam/AdamW formula over three steps', { skip }, () => {
  const rng = new Rng(40);
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const [decoupled, amsgrad, maximize, wd] of [[false, false, false, 0], [true, false, false, 0.01], [false, true, true, 0.1]] as const) {
      for (const n of [1, 7, 65, 40000]) {
        const p = makeView([n], dtype, 'contiguous', () => rng.normal());
        const m = makeView([n], dtype, 'contiguous', () => 0), v = makeView([n], dtype, 'contiguous', () => 0);
        const vmax = amsgrad ? makeView([n], dtype, 'contiguous', () => 0) : null;
        const [p2, m2, v2] = [copyOf(p), copyOf(m), copyOf(v)];
        const vmax2 = vmax ? copyOf(vmax) : null;
        for (let t = 1; t <= 3; t++) {
          const g = makeView([n], dtype, 'contiguous', () => rng.normal());
          const h: AdamStepParams = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: wd, decoupled, maximize, stepSize: 1e-2 / (1 - 0.9 ** t), bc2Sqrt: Math.sqrt(1 - 0.999 ** t) };
          assert.equal(nat!.adamStep!(p, g, m, v, vmax, h), true);
          adamRef(p2, g, m2, v2, vmax2, h);
        }
        const name = `adam ${dtype} n=${n} decoupled=${decoupled} amsgrad=${amsgrad}`;
        close(read(p), read(p2), 1e-6, 1e-7, name);
        close(read(m), read(m2), 1e-6, 1e-7, `${name} exp_avg`);
        close(read(v), read(v2), 1e-6, 1e-9, `${name} exp_avg_sq`);
      }
    }
  }
});

test('native adamStep first step moves each weight by about lr against the gradient sign', { skip }, () => {
  const vals = [2, -0.5, 1e-3];
  let i = 0;
  const p = makeView([3], 'float64', 'contiguous', () => 1);
  const g = makeView([3], 'float64', 'contiguous', () => vals[i++]!);
  const m = makeView([3], 'float64', 'contiguous', () => 0), v = makeView([3], 'float64', 'contiguous', () => 0);
  nat!.adamStep!(p, g, m, v, null, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, maximize: false, stepSize: 0.1 / 0.1, bc2Sqrt: Math.sqrt(0.001) });
  // m̂ = g, v̂ = g², so the step is lr·g/(|g| + eps).
  close(read(p), [1 - 0.1 * 2 / (2 + 1e-8), 1 + 0.1 * 0.5 / (0.5 + 1e-8), 1 - 0.1 * 1e-3 / (1e-3 + 1e-8)], 1e-12, 1e-14, 'adam first step');
  close(read(m), [0.2, -0.05, 1e-4], 1e-12, 1e-16, 'adam exp_avg');
});

test('native sgdStep matches SGD with and without momentum/nesterov', { skip }, () => {
  const rng = new Rng(41);
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const [momentum, nesterov, dampening, wd] of [[0, false, 0, 0], [0.9, false, 0, 1e-4], [0.9, true, 0, 0], [0.5, false, 0.1, 0]] as const) {
      const n = 33;
      const p = makeView([n], dtype, 'contiguous', () => rng.normal());
      const b = momentum ? makeView([n], dtype, 'contiguous', () => 0) : null;
      const p2 = copyOf(p);
      const b2 = b ? copyOf(b) : null;
      for (let t = 0; t < 3; t++) {
        const g = makeView([n], dtype, 'contiguous', () => rng.normal());
        const h: SgdStepParams = { lr: 0.1, momentum, dampening, weightDecay: wd, nesterov, maximize: false, firstStep: t === 0 };
        assert.equal(nat!.sgdStep!(p, g, b, h), true);
        sgdRef(p2, g, b2, h);
      }
      close(read(p), read(p2), 1e-6, 1e-7, `sgd ${dtype} momentum=${momentum} nesterov=${nesterov}`);
    }
  }
  // Hand value: θ = 1, g = 2, lr 0.1, momentum 0.9: step 1 → 0.8 (b = 2), step 2 → 0.8 − 0.1·(0.9·2 + 2) = 0.42.
  const p = makeView([1], 'float64', 'contiguous', () => 1), g = makeView([1], 'float64', 'contiguous', () => 2);
  const b = makeView([1], 'float64', 'contiguous', () => 0);
  const h = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
  nat!.sgdStep!(p, g, b, { ...h, firstStep: true });
  nat!.sgdStep!(p, g, b, { ...h, firstStep: false });
  close(read(p), [0.42], 1e-12, 1e-15, 'sgd momentum hand value');
});
