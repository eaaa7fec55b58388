/**
 * LayerNorm and BatchNorm as custom autograd Functions with hand-derived
 * backward passes (the custom-op lesson). Forward runs without recording and
 * saves only x̂ (the normalised input), the per-group 1/σ and the weight;
 * backward uses the closed form
 *
 *   ĝ = g·γ,   dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   dγ = Σ g·x̂,   dβ = Σ g
 *
 * (means and sums over the normalised dims; in BatchNorm eval mode the
 * statistics are constants, so dx = ĝ/σ). Gradients no input needs are
 * skipped. The autograd compositions in functional.ts are the reference they
 * are tested against.
 */
import { TsgradError } from '../core/errors.js';
import { Function, type FunctionCtx, type FunctionArg } from '../autograd/function.js';
import type { Tensor } from '../tensor/tensor.js';
import { sum } from '../ops/broadcast.js';
import { add, mul, rsqrt, square, sub } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import { batchNormShapes, layerNormDims, updateRunning } from './functional.js';

interface NormState {
  dims: number[];
  /** Dims the parameter gradients sum over (and the shape they broadcast from). */
  paramDims: number[];
  paramShape: number[];
  /** False when the statistics were constants (BatchNorm eval mode). */
  batchStats: boolean;
  hasWeight: boolean;
  hasBias: boolean;
}

/** Shared backward of both norms. Inputs are (x, weight, bias, ...). */
function normBackward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
  const st = ctx.state['norm'] as NormState;
  const [xhat, rstd, weight] = ctx.savedTensors as [Tensor, Tensor, Tensor | undefined];
  const [needX, needW, needB] = ctx.needsInputGrad;
  let gx: Tensor | null = null;
  if (needX) {
    const gh = weight ? mul(g, reshape(weight, st.paramShape)) : g;
    gx = st.batchStats
      ? mul(rstd, sub(sub(gh, mean(gh, st.dims, true)), mul(xhat, mean(mul(gh, xhat), st.dims, true))))
      : mul(gh, rstd);
  }
  const paramGrad = (t: Tensor): Tensor => reshape(sum(t, st.paramDims), st.paramShape.filter((_, d) => !st.paramDims.includes(d)));
  const gw = needW && st.hasWeight ? paramGrad(mul(g, xhat)) : null;
  const gb = needB && st.hasBias ? paramGrad(g) : null;
  return [gx, gw, gb];
}

/** LayerNorm over the trailing dims with a hand-written backward; call LayerNormFunction.apply(x, weight, bias, normalizedShape, eps). */
export class LayerNormFunction extends Function {
  static override forward(ctx: FunctionCtx, ...args: FunctionArg[]): Tensor {
    const [x, weight, bias, normalizedShape, eps] = args as [Tensor, Tensor | null, Tensor | null, number[], number];
    const dims = layerNormDims('LayerNormFunction', x, normalizedShape, weight, bias);
    const m = mean(x, dims, true);
    const xc = sub(x, m);
    const rstd = rsqrt(add(mean(square(xc), dims, true), eps));
    const xhat = mul(xc, rstd);
    let y = weight ? mul(xhat, weight) : xhat;
    if (bias) y = add(y, bias);
    const lead = x.ndim - normalizedShape.length;
    ctx.state['norm'] = {
      dims,
      paramDims: x.shape.slice(0, lead).map((_, d) => d),
      paramShape: [...x.shape.slice(0, lead).map(() => 1), ...normalizedShape],
      batchStats: true,
      hasWeight: !!weight,
      hasBias: !!bias,
    } satisfies NormState;
    ctx.saveForBackward(...(weight ? [xhat, rstd, weight] : [xhat, rstd]));
    return y;
  }

  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    return [...normBackward(ctx, g), null, null];
  }
}

/**
 * BatchNorm over dim 1 with a hand-written backward; call
 * BatchNormFunction.apply(x, weight, bias, runningMean, runningVar, training, momentum, eps).
 * In training the running statistics (when given) are updated in place.
 */
export class BatchNormFunction extends Function {
  static override forward(ctx: FunctionCtx, ...args: FunctionArg[]): Tensor {
    const [x, weight, bias, rm, rv, training, momentum, eps] = args as [Tensor, Tensor | null, Tensor | null, Tensor | null, Tensor | null, boolean, number, number];
    const { dims, bshape } = batchNormShapes('BatchNormFunction', x, [weight, bias, rm, rv]);
    let xhat: Tensor;
    let rstd: Tensor;
    if (training) {
      const n = x.numel() / x.shape[1]!;
      if (n <= 1) throw new TsgradError(`BatchNormFunction: expected more than 1 value per channel when training, got input [${x.shape.join(',')}]`);
      const m = mean(x, dims, true);
      const xc = sub(x, m);
      const v = mean(square(xc), dims, true);
      rstd = rsqrt(add(v, eps));
      xhat = mul(xc, rstd);
      if (rm) updateRunning(rm, reshape(m, [-1]), momentum);
      if (rv) updateRunning(rv, mul(reshape(v, [-1]), n / (n - 1)), momentum);
    } else {
      if (!rm || !rv) throw new TsgradError('BatchNormFunction: running mean and variance are required when not training');
      rstd = rsqrt(add(reshape(rv, bshape), eps));
      xhat = mul(sub(x, reshape(rm, bshape)), rstd);
    }
    let y = weight ? mul(xhat, reshape(weight, bshape)) : xhat;
    if (bias) y = add(y, reshape(bias, bshape));
    ctx.state['norm'] = { dims, paramDims: dims, paramShape: bshape, batchStats: training, hasWeight: !!weight, hasBias: !!bias } satisfies NormState;
    ctx.saveForBackward(...(weight ? [xhat, rstd, weight] : [xhat, rstd]));
    return y;
  }

  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    return [...normBackward(ctx, g), null, null, null, null, null];
  }
}

/** LayerNorm through the custom Function (same contract as functional.layerNorm). */
export function fusedLayerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return LayerNormFunction.apply(x, weight, bias, [...normalizedShape], eps);
}

/** BatchNorm through the custom Function (same contract as functional.batchNorm). */
export function fusedBatchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: { training?: boolean; momentum?: number; eps?: number } = {},
): Tensor {
  return BatchNormFunction.apply(x, weight, bias, runningMean, runningVar, opts.training ?? false, opts.momentum ?? 0.1, opts.eps ?? 1e-5);
}
