/**
 * LayerNorm and BatchNorm as custom autograd Functions with hand-derived
 * backward passes (the custom-op lesson), written as fused loops over the
 * (contiguous) storage: two passes forward, two passes backward, no
 * intermediate tensors. Forward saves only x̂ (the normalised input), the
 * per-group 1/σ and the weight; backward uses the closed form
 *
 *   ĝ = g·γ,   dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   dγ = Σ g·x̂,   dβ = Σ g
 *
 * (means and sums over the normalised elements of each group; in BatchNorm
 * eval mode the statistics are constants, so dx = ĝ/σ). Gradients no input
 * needs are not computed. Sums run in double precision whatever the dtype.
 * The autograd compositions in functional.ts are the reference these are
 * tested against (tests/nn/fused-norms.test.ts).
 */
import { TsgradError, fmtShape } from '../core/errors.js';
import { Function, type FunctionCtx, type FunctionArg } from '../autograd/function.js';
import { Tensor } from '../tensor/tensor.js';
import { to } from '../ops/cast.js';
import { contiguousRaw, empty } from '../ops/util.js';
import { batchNormShapes, layerNormDims, updateRunning, type BatchNormOptions } from './functional.js';

/** Layout of a norm over [outer, C, inner] blocks: group index of element (o, c, i) is c for BatchNorm; LayerNorm uses outer = rows, C = 1. */
interface NormState {
  kind: 'layer' | 'batch';
  /** BatchNorm: N (outer), C (channels), S (inner). LayerNorm: R rows of K elements. */
  dims: [number, number, number];
  /** False when the statistics were constants (BatchNorm eval mode). */
  batchStats: boolean;
  hasWeight: boolean;
  hasBias: boolean;
  weightShape: readonly number[];
}

/** `t` contiguous and of dtype `dtype` (the values, without recording). */
function plain(t: Tensor, dtype: Tensor['dtype']): Tensor {
  return contiguousRaw(t.dtype === dtype ? t : to(t, dtype));
}

/** LayerNorm over the trailing dims with a hand-written backward; call LayerNormFunction.apply(x, weight, bias, normalizedShape, eps). */
export class LayerNormFunction extends Function {
  static override forward(ctx: FunctionCtx, ...args: FunctionArg[]): Tensor {
    const [x0, weight, bias, normalizedShape, eps] = args as [Tensor, Tensor | null, Tensor | null, number[], number];
    layerNormDims('LayerNormFunction', x0, normalizedShape, weight, bias);
    const x = contiguousRaw(x0);
    const K = normalizedShape.reduce((a, b) => a * b, 1);
    const R = x.numel() / K;
    const w = weight ? plain(weight, x.dtype) : null;
    const b = bias ? plain(bias, x.dtype) : null;
    const xhat = empty(x.shape, x.dtype);
    const y = empty(x.shape, x.dtype);
    const rstd = empty([R], x.dtype);
    const xd = x.data;
    const xo = x.offset;
    const hd = xhat.data;
    const yd = y.data;
    for (let r = 0; r < R; r++) {
      const base = r * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += xd[xo + base + k]!;
      const m = s / K;
      let v = 0;
      for (let k = 0; k < K; k++) {
        const d = xd[xo + base + k]! - m;
        v += d * d;
      }
      const rs = 1 / Math.sqrt(v / K + eps);
      rstd.data[r] = rs;
      for (let k = 0; k < K; k++) {
        const h = (xd[xo + base + k]! - m) * rs;
        hd[base + k] = h;
        yd[base + k] = (w ? h * w.data[w.offset + k]! : h) + (b ? b.data[b.offset + k]! : 0);
      }
    }
    ctx.state['norm'] = { kind: 'layer', dims: [R, 1, K], batchStats: true, hasWeight: !!w, hasBias: !!b, weightShape: [...normalizedShape] } satisfies NormState;
    ctx.saveForBackward(...(w ? [xhat, rstd, w] : [xhat, rstd]));
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
    const [x0, weight, bias, rm, rv, training, momentum, eps] = args as [Tensor, Tensor | null, Tensor | null, Tensor | null, Tensor | null, boolean, number, number];
    batchNormShapes('BatchNormFunction', x0, [weight, bias, rm, rv]);
    const x = contiguousRaw(x0);
    const N = x.shape[0]!;
    const C = x.shape[1]!;
    const S = x.numel() / Math.max(1, N * C);
    const M = N * S;
    if (training && M <= 1) throw new TsgradError(`BatchNormFunction: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
    if (!training && (!rm || !rv)) throw new TsgradError('BatchNormFunction: running mean and variance are required when not training');
    const w = weight ? plain(weight, x.dtype) : null;
    const b = bias ? plain(bias, x.dtype) : null;
    const xd = x.data;
    const xo = x.offset;
    const xhat = empty(x.shape, x.dtype);
    const y = empty(x.shape, x.dtype);
    const rstd = empty([C], x.dtype);
    const mean = new Float64Array(C);
    const varB = new Float64Array(C);
    if (training) {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let n = 0; n < N; n++) for (let i = 0, o = xo + (n * C + c) * S; i < S; i++) s += xd[o + i]!;
        const m = s / M;
        let v = 0;
        for (let n = 0; n < N; n++) {
          for (let i = 0, o = xo + (n * C + c) * S; i < S; i++) {
            const d = xd[o + i]! - m;
            v += d * d;
          }
        }
        mean[c] = m;
        varB[c] = v / M;
      }
    } else {
      const rmv = plain(rm!, 'float64').data;
      const rvv = plain(rv!, 'float64').data;
      for (let c = 0; c < C; c++) {
        mean[c] = rmv[c]!;
        varB[c] = rvv[c]!;
      }
    }
    const hd = xhat.data;
    const yd = y.data;
    for (let c = 0; c < C; c++) {
      const rs = 1 / Math.sqrt(varB[c]! + eps);
      rstd.data[c] = rs;
      const m = mean[c]!;
      const wc = w ? w.data[w.offset + c]! : 1;
      const bc = b ? b.data[b.offset + c]! : 0;
      for (let n = 0; n < N; n++) {
        const base = (n * C + c) * S;
        for (let i = 0; i < S; i++) {
          const h = (xd[xo + base + i]! - m) * rs;
          hd[base + i] = h;
          yd[base + i] = h * wc + bc;
        }
      }
    }
    if (training) {
      if (rm) updateRunning(rm, Tensor.fromStorage(Float64Array.from(mean), 'float64', [C]), momentum);
      if (rv) updateRunning(rv, Tensor.fromStorage(varB.map((v) => (v * M) / (M - 1)), 'float64', [C]), momentum);
    }
    ctx.state['norm'] = { kind: 'batch', dims: [N, C, S], batchStats: training, hasWeight: !!w, hasBias: !!b, weightShape: [C] } satisfies NormState;
    ctx.saveForBackward(...(w ? [xhat, rstd, w] : [xhat, rstd]));
    return y;
  }

  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    return [...normBackward(ctx, g), null, null, null, null, null];
  }
}

/** Shared backward of both norms; inputs are (x, weight, bias, ...). */
function normBackward(ctx: FunctionCtx, g0: Tensor): (Tensor | null)[] {
  const st = ctx.state['norm'] as NormState;
  const [xhat, rstd, w] = ctx.savedTensors as [Tensor, Tensor, Tensor | undefined];
  const [needX, needW, needB] = ctx.needsInputGrad;
  const g = plain(g0, xhat.dtype);
  const gd = g.data;
  const go = g.offset;
  const hd = xhat.data;
  const [A, C, S] = st.dims;
  const wantW = !!needW && st.hasWeight;
  const wantB = !!needB && st.hasBias;
  const gx = needX ? empty(xhat.shape, xhat.dtype) : null;
  if (st.kind === 'layer') {
    // A rows of S elements; the weight runs along the row.
    const K = S;
    const gw = wantW ? new Float64Array(K) : null;
    const gb = wantB ? new Float64Array(K) : null;
    for (let r = 0; r < A; r++) {
      const base = r * K;
      let sg = 0;
      let sgh = 0;
      for (let k = 0; k < K; k++) {
        const gk = gd[go + base + k]!;
        const h = hd[base + k]!;
        const gh = w ? gk * w.data[w.offset + k]! : gk;
        sg += gh;
        sgh += gh * h;
        if (gw) gw[k] = gw[k]! + gk * h;
        if (gb) gb[k] = gb[k]! + gk;
      }
      if (gx) {
        const rs = rstd.data[r]!;
        const a = sg / K;
        const bb = sgh / K;
        for (let k = 0; k < K; k++) {
          const gh = w ? gd[go + base + k]! * w.data[w.offset + k]! : gd[go + base + k]!;
          gx.data[base + k] = rs * (gh - a - hd[base + k]! * bb);
        }
      }
    }
    return [gx, gw ? Tensor.fromStorage(gw, 'float64', st.weightShape).to(xhat.dtype) : null, gb ? Tensor.fromStorage(gb, 'float64', st.weightShape).to(xhat.dtype) : null];
  }
  // BatchNorm: A = N samples, C channels, S spatial elements; the weight runs along C.
  const M = A * S;
  const gw = wantW ? new Float64Array(C) : null;
  const gb = wantB ? new Float64Array(C) : null;
  for (let c = 0; c < C; c++) {
    let sg = 0;
    let sgh = 0;
    for (let n = 0; n < A; n++) {
      const base = (n * C + c) * S;
      for (let i = 0; i < S; i++) {
        const gi = gd[go + base + i]!;
        sg += gi;
        sgh += gi * hd[base + i]!;
      }
    }
    if (gw) gw[c] = sgh;
    if (gb) gb[c] = sg;
    if (gx) {
      const wc = w ? w.data[w.offset + c]! : 1;
      const k = rstd.data[c]! * wc;
      const a = st.batchStats ? sg / M : 0;
      const bb = st.batchStats ? sgh / M : 0;
      for (let n = 0; n < A; n++) {
        const base = (n * C + c) * S;
        for (let i = 0; i < S; i++) gx.data[base + i] = k * (gd[go + base + i]! - a - hd[base + i]! * bb);
      }
    }
  }
  return [gx, gw ? Tensor.fromStorage(gw, 'float64', [C]).to(xhat.dtype) : null, gb ? Tensor.fromStorage(gb, 'float64', [C]).to(xhat.dtype) : null];
}

/** LayerNorm through the custom Function LayerNormFunction (same contract as functional.layerNorm). */
export function layerNormFunction(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  return LayerNormFunction.apply(x, weight, bias, [...normalizedShape], eps);
}

/** BatchNorm through the custom Function BatchNormFunction (same contract as functional.batchNorm). */
export function batchNormFunction(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  return BatchNormFunction.apply(x, weight, bias, runningMean, runningVar, opts.training ?? false, opts.momentum ?? 0.1, opts.eps ?? 1e-5);
}

/** @deprecated Old name of layerNormFunction (it never ran a fused kernel); kept as an alias. */
export const fusedLayerNorm = layerNormFunction;
/** @deprecated Old name of batchNormFunction (the backend-kernel BatchNorm is functional.batchNorm); kept as an alias. */
export const fusedBatchNorm = batchNormFunction;
