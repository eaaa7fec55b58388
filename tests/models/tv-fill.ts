import * as tg from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';

/**
 * Fills a model's state dict with the formula of tools/gen_torch_vision_fixtures.py: tensor k (state-dict
 * order), flat index i, base = sin(0.37 i + 1.3 k + 0.5); weights (ndim >= 2) base·2/√fan_in, 1-d weights
 * 1 + 0.2 base, biases 0.05 base, running_mean 0.1 base, running_var 1 + 0.5 base.
 */
export function fillLikeFixture(m: Module): void {
  const sd = m.stateDict();
  const out = new Map<string, tg.Tensor>();
  let k = 0;
  for (const [name, t] of sd) {
    const kk = k++;
    if (name.endsWith('num_batches_tracked')) continue;
    const n = t.numel();
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const base = Math.sin(0.37 * i + 1.3 * kk + 0.5);
      let v: number;
      if (leaf === 'weight' && t.ndim >= 2) v = (base * 2) / Math.sqrt(n / t.shape[0]!);
      else if (leaf === 'weight') v = 1 + 0.2 * base;
      else if (leaf === 'bias') v = 0.05 * base;
      else if (leaf === 'running_mean') v = 0.1 * base;
      else if (leaf === 'running_var') v = 1 + 0.5 * base;
      else throw new Error(`fillLikeFixture: unexpected tensor ${name}`);
      data[i] = v;
    }
    out.set(name, tg.Tensor.fromStorage(data, 'float32', t.shape));
  }
  m.loadStateDict(out, { strict: false });
}

/** The fixture input: x_j = sin(0.05 j + 0.3) over the flat index, as float32. */
export function fixtureInput(shape: number[]): tg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let j = 0; j < n; j++) data[j] = Math.sin(0.05 * j + 0.3);
  return tg.Tensor.fromStorage(data, 'float32', shape);
}
