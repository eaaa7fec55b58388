import * as tg from '../../src/index.js';
import { type Layer, type Loss } from '../../src/layers/index.js';
import { assertClose, flat } from '../helpers.js';

/** Seeded float64 normals (no grad). */
export function randn64(shape: number[], seed: number): tg.Tensor {
  return tg.randn(shape, { dtype: 'float64', generator: new tg.Generator(seed) });
}

/** A float64 leaf copy of t that requires grad. */
function leaf(t: tg.Tensor): tg.Tensor {
  return tg.tensor(t.toTypedArray() as Float64Array, { dtype: 'float64', shape: t.shape, requiresGrad: true });
}

/** Central finite difference of f() with respect to every element of the contiguous tensor t (perturbed in place). */
function numericGrad(t: tg.Tensor, f: () => number, eps = 1e-6): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.numel(); i++) {
    const o = t.data[t.offset + i]!;
    t.data[t.offset + i] = o + eps;
    const plus = f();
    t.data[t.offset + i] = o - eps;
    const minus = f();
    t.data[t.offset + i] = o;
    out.push((plus - minus) / (2 * eps));
  }
  return out;
}

/**
 * Checks a layer's hand-derived backward in float64 against two oracles:
 * autograd (tape) running `reference(x, params)` built from tg ops, and
 * central finite differences of the layer's own forward. The scalar objective
 * is Σ forward(x) ⊙ R for a fixed random R, so backward(R) must equal ∂/∂x and
 * the parameter gradients. `reseed` restores any randomness before each forward.
 */
export function checkLayer(
  layer: Layer,
  x: tg.Tensor,
  reference: ((x: tg.Tensor, params: Map<string, tg.Tensor>) => tg.Tensor) | null,
  opts: { reseed?: () => void; atol?: number } = {},
): void {
  const atol = opts.atol ?? 1e-6;
  opts.reseed?.();
  const y = layer.forward(x);
  const r = randn64([...y.shape], 99);
  const dx = layer.backward(r);
  const grads = new Map([...layer.grads()].map(([k, g]) => [k, flat(g)]));
  const name = layer.describe();

  if (reference) {
    const xa = leaf(x);
    const pa = new Map([...layer.params()].map(([k, p]) => [k, leaf(p)]));
    opts.reseed?.();
    const ya = reference(xa, pa);
    assertClose(y, ya, { atol: 1e-12, rtol: 1e-10, msg: `${name} forward vs tg ops` });
    ya.mul(r).sum().backward();
    assertClose(dx, xa.grad!, { atol: 1e-10, rtol: 1e-8, msg: `${name} dx vs autograd` });
    for (const [k, p] of pa) assertClose(grads.get(k)!, p.grad!, { atol: 1e-10, rtol: 1e-8, msg: `${name} d${k} vs autograd` });
  }

  const objective = (): number => {
    opts.reseed?.();
    return layer.forward(x).mul(r).sum().item();
  };
  assertClose(dx, numericGrad(x, objective), { atol, rtol: 1e-5, msg: `${name} dx vs finite differences` });
  for (const [k, p] of layer.params()) {
    assertClose(grads.get(k)!, numericGrad(p, objective), { atol, rtol: 1e-5, msg: `${name} d${k} vs finite differences` });
  }
}

/** Checks a loss's backward against autograd of `reference(input, target)` and finite differences of forward. */
export function checkLoss(loss: Loss, input: tg.Tensor, target: tg.Tensor, reference: (x: tg.Tensor, t: tg.Tensor) => tg.Tensor, dLoss = 1): void {
  const name = loss.describe();
  const v = loss.forward(input, target).item();
  const dx = loss.backward(dLoss);
  const xa = leaf(input);
  const ref = reference(xa, target);
  assertClose([v], [ref.item()], { atol: 1e-12, rtol: 1e-10, msg: `${name} value vs tg ops` });
  ref.mul(dLoss).backward();
  assertClose(dx, xa.grad!, { atol: 1e-10, rtol: 1e-8, msg: `${name} gradient vs autograd` });
  const num = numericGrad(input, () => loss.forward(input, target).item() * dLoss);
  assertClose(dx, num, { atol: 1e-6, rtol: 1e-5, msg: `${name} gradient vs finite differences` });
}
