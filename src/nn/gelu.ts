/**
 * GELU, x·Φ(x), as a custom Function: the op set has no erf, so forward and
 * backward are loops over the storage. erf uses the everywhere-convergent
 * series erf(x) = (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1) / (1·3·…·(2n+1)), whose terms
 * are all positive (no cancellation), so it is accurate to about 1e-15; for
 * |x| ≥ 6, erf(x) = ±1 in double precision. The tanh approximation is a plain
 * composition of ops.
 */
import { DTypeError } from '../core/errors.js';
import { isFloat } from '../core/dtype.js';
import { Function, type FunctionArg, type FunctionCtx } from '../autograd/function.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul, pow, tanh } from '../ops/elementwise.js';
import { contiguousRaw, empty } from '../ops/util.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** The error function, to about 1e-15 (double precision). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** GELU with the exact normal CDF; backward dy/dx = Φ(x) + x·φ(x). */
export class GELUFunction extends Function {
  static override forward(ctx: FunctionCtx, ...args: FunctionArg[]): Tensor {
    const x = contiguousRaw(args[0] as Tensor);
    if (!isFloat(x.dtype)) throw new DTypeError(`gelu: expected a float32 or float64 input, got ${x.dtype}`);
    const y = empty(x.shape, x.dtype);
    const n = x.numel();
    for (let i = 0; i < n; i++) {
      const v = x.data[x.offset + i]!;
      y.data[i] = 0.5 * v * (1 + erf(v * INV_SQRT2));
    }
    ctx.saveForBackward(x);
    return y;
  }

  static override backward(ctx: FunctionCtx, g0: Tensor): (Tensor | null)[] {
    const [x] = ctx.savedTensors as [Tensor];
    const g = contiguousRaw(g0);
    const gx = empty(x.shape, x.dtype);
    const n = x.numel();
    for (let i = 0; i < n; i++) {
      const v = x.data[x.offset + i]!;
      const cdf = 0.5 * (1 + erf(v * INV_SQRT2));
      gx.data[i] = g.data[g.offset + i]! * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    }
    return [gx];
  }
}

/** Which GELU: the exact x·Φ(x) or PyTorch's tanh approximation. */
export type GeluApproximate = 'none' | 'tanh';

/** x·Φ(x) (Φ the standard normal CDF), or its tanh approximation 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: Tensor, approximate: GeluApproximate = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return GELUFunction.apply(x);
}
