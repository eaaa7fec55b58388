import { AutogradError, DTypeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { backward } from './engine.js';

/** Tolerances of gradcheck: an entry passes when |analytic - numeric| <= atol + rtol·|numeric|. */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

/** Storage offsets of every element of a (possibly strided) tensor, in row-major order. */
function offsetsOf(t: Tensor): number[] {
  const out: number[] = [];
  const walk = (d: number, off: number): void => {
    if (d === t.ndim) {
      out.push(off);
      return;
    }
    for (let i = 0; i < t.shape[d]!; i++) walk(d + 1, off + i * t.strides[d]!);
  };
  walk(0, t.offset);
  return out;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/**
 * Compares the gradients autograd computes for `fn` with central finite
 * differences, for every output element and every element of every input
 * that requires grad. Inputs must be float64. Returns true, or throws an
 * error naming the input, the element, and both values.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): true {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  inputs.forEach((x, i) => {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new DTypeError(`gradcheck: input ${i} is ${x.dtype}; finite differences need float64 inputs`);
    }
  });
  const checked = inputs.map((x, i) => [x, i] as const).filter(([x]) => x.requiresGrad);
  if (checked.length === 0) throw new AutogradError('gradcheck: no input requires grad');
  const out = fn(...inputs);
  const nOut = out.numel();
  const outFlat = (): Float64Array => Float64Array.from(noGrad(() => fn(...inputs)).toTypedArray());

  // Analytic Jacobian, one row per output element (a backward with a one-hot gradient).
  const analytic = checked.map(([x]) => new Float64Array(nOut * x.numel()));
  for (let j = 0; j < nOut; j++) {
    for (const [x] of checked) x.grad = null;
    const seed = zerosLike(out, { dtype: out.dtype });
    seed.data[j] = 1;
    if (out.requiresGrad) backward(out, seed, { retainGraph: true });
    checked.forEach(([x], k) => {
      const g = x.grad ? (x.grad as Tensor).toTypedArray() : new Float64Array(x.numel());
      analytic[k]!.set(g, j * x.numel());
    });
  }
  for (const [x] of checked) x.grad = null;

  // Numeric Jacobian, one column per input element; the input is perturbed in place and restored.
  checked.forEach(([x, inputIndex], k) => {
    const offs = offsetsOf(x);
    offs.forEach((off, e) => {
      const orig = x.data[off]!;
      x.data[off] = orig + eps;
      const plus = outFlat();
      x.data[off] = orig - eps;
      const minus = outFlat();
      x.data[off] = orig;
      for (let j = 0; j < nOut; j++) {
        const numeric = (plus[j]! - minus[j]!) / (2 * eps);
        const a = analytic[k]![j * x.numel() + e]!;
        if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
          throw new AutogradError(
            `gradcheck: mismatch for input ${inputIndex} (shape ${fmtShape(x.shape)}) at element [${unravel(e, x.shape).join(',')}], ` +
              `output element [${unravel(j, out.shape).join(',')}]: analytic ${a}, numeric ${numeric}`,
          );
        }
      }
    });
  });
  return true;
}
