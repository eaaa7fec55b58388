import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { isFloat, type DType } from '../core/dtype.js';
import { noGrad, record } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { add, mul, neg, rsqrt, sub } from './elementwise.js';
import { be, contiguousRaw, empty, zeroed } from './util.js';

/**
 * The per-channel ops under BatchNorm, on x [N, C, ...] with channels in dim 1.
 * Each runs as one or two passes of a backend kernel instead of the seven or so
 * elementwise ops and reductions a composition takes, forward and backward.
 * Their gradients are derived by hand here (gradchecked in float64).
 */

/** The [N, C, S] view of a contiguous [N, C, ...] tensor. */
function as3d(x: Tensor): Tensor {
  const [n, c] = x.shape as [number, number];
  const s = x.numel() / Math.max(n * c, 1);
  return x._view([n, c, s], [c * s, s, 1], x.offset);
}

/** A [C] tensor of `dtype` holding `values`. */
function vec(values: Float64Array, dtype: DType): Tensor {
  return Tensor.fromStorage(dtype === 'float64' ? values : Float32Array.from(values), dtype, [values.length]);
}

/** The values of a [C] tensor (or `fill` repeated when it is null) as float64. */
function values(t: Tensor | null, c: number, fill: number): Float64Array {
  return t ? Float64Array.from(t.toTypedArray(), Number) : new Float64Array(c).fill(fill);
}

function check(op: string, x: Tensor, vectors: readonly (Tensor | null)[]): number {
  if (x.ndim < 2) throw new ShapeError(`${op}: expected input of at least 2 dims [N, C, ...], got ${fmtShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 input, got ${x.dtype}`);
  const c = x.shape[1]!;
  for (const v of vectors) {
    if (!v) continue;
    if (v.ndim !== 1 || v.shape[0] !== c) throw new ShapeError(`${op}: per-channel tensors must be [${c}] for input ${fmtShape(x.shape)}, got ${fmtShape(v.shape)}`);
    if (v.dtype !== x.dtype) throw new DTypeError(`${op}: per-channel tensors must be ${x.dtype} like the input, got ${v.dtype}`);
  }
  return c;
}

/** Per-channel Σ g and Σ g·(x − mean) as float64 arrays. */
function gradSums(g3: Tensor, x3: Tensor, mean: Tensor): [Float64Array, Float64Array] {
  const c = x3.shape[1]!;
  const sg = empty([c], x3.dtype), sgx = empty([c], x3.dtype);
  be().channelGradSums(g3, x3, mean, sg, sgx);
  return [values(sg, c, 0), values(sgx, c, 0)];
}

/**
 * y = a[c]·x + d[c] over dim 1 of x [N, C, ...]: BatchNorm with fixed statistics
 * (inference) in one pass. Differentiable in x, a and d.
 */
export function channelAffine(x: Tensor, a: Tensor, d: Tensor): Tensor {
  const c = check('channelAffine', x, [a, d]);
  const xc = contiguousRaw(x);
  const ac = contiguousRaw(a), dc = contiguousRaw(d);
  const out = empty(x.shape, x.dtype);
  be().channelAffine(as3d(xc), ac, dc, as3d(out));
  return record('channelAffine', out, [x, a, d], (g, need) => {
    const g3 = as3d(contiguousRaw(g));
    let gx: Tensor | null = null;
    if (need[0]) {
      gx = empty(x.shape, x.dtype);
      be().channelAffine(g3, ac, zeroed([c], x.dtype, undefined, x.device), as3d(gx));
    }
    if (x.device !== 'cpu') {
      if (!need[1] && !need[2]) return [gx, null, null];
      const sgT = empty([c], x.dtype, undefined, x.device), sgxT = empty([c], x.dtype, undefined, x.device);
      be().channelGradSums(g3, as3d(xc), zeroed([c], x.dtype, undefined, x.device), sgT, sgxT);
      return [gx, need[1] ? sgxT : null, need[2] ? sgT : null];
    }
    const [sg, sgx] = need[1] || need[2] ? gradSums(g3, as3d(xc), vec(new Float64Array(c), x.dtype)) : [null, null];
    return [gx, sgx && need[1] ? vec(sgx, x.dtype) : null, sg && need[2] ? vec(sg, x.dtype) : null];
  }, [xc, ac]);
}

/** What batchNormTrain returns: the output and the batch statistics it used (constants to autograd). */
export interface BatchNormTrainResult {
  out: Tensor;
  /** Per-channel batch mean [C]. */
  mean: Tensor;
  /** Per-channel biased batch variance [C]. */
  variance: Tensor;
}

/**
 * BatchNorm in training mode over dim 1 of x [N, C, ...]: normalises with the
 * batch mean and biased variance, then scales by weight and shifts by bias
 * (either may be null). With x̂ = (x − μ)/σ and n = N·S elements per channel,
 * the gradients are dγ = Σ g·x̂, dβ = Σ g and
 * dx = (γ/σ)·(g − Σg/n − x̂·Σ(g·x̂)/n), which is a[c]·g + b[c]·x + d[c].
 */
export function batchNormTrain(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): BatchNormTrainResult {
  const c = check('batchNorm', x, [weight, bias]);
  if (x.device !== 'cpu') return batchNormTrainDevice(x, weight, bias, eps, c);
  const n = x.numel() / c;
  const xc = contiguousRaw(x);
  const x3 = as3d(xc);
  const mean = empty([c], x.dtype), variance = empty([c], x.dtype);
  be().channelStats(x3, mean, variance);
  const mu = values(mean, c, 0);
  const inv = values(variance, c, 0).map((v) => 1 / Math.sqrt(v + eps));
  const gamma = values(weight, c, 1), beta = values(bias, c, 0);
  const a = inv.map((v, i) => v * gamma[i]!);
  const out = empty(x.shape, x.dtype);
  be().channelAffine(x3, vec(a, x.dtype), vec(beta.map((b, i) => b - mu[i]! * a[i]!), x.dtype), as3d(out));
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const result = record('batchNorm', out, inputs, (g, need) => {
    const g3 = as3d(contiguousRaw(g));
    const [sg, sgx] = gradSums(g3, x3, mean);
    let gx: Tensor | null = null;
    if (need[0]) {
      const b = sgx.map((s, i) => (-a[i]! * inv[i]! * inv[i]! * s) / n);
      const d = sg.map((s, i) => (-a[i]! * s) / n - b[i]! * mu[i]!);
      gx = empty(x.shape, x.dtype);
      be().channelAffine(g3, vec(a, x.dtype), vec(d, x.dtype), as3d(gx), x3, vec(b, x.dtype));
    }
    const grads: (Tensor | null)[] = [gx];
    if (weight) grads.push(need[1] ? vec(sgx.map((s, i) => s * inv[i]!), x.dtype) : null);
    if (bias) grads.push(need[inputs.length - 1] ? vec(sg, x.dtype) : null);
    return grads;
  }, [xc]);
  return { out: result, mean, variance };
}

/**
 * batchNormTrain on a device: the same kernels and formulas, with the per-channel vectors kept
 * on the device as [C] tensors (computed by unrecorded ops) so nothing is read back.
 */
function batchNormTrainDevice(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number, c: number): BatchNormTrainResult {
  const n = x.numel() / c;
  const dev = x.device;
  const xc = contiguousRaw(x);
  const x3 = as3d(xc);
  const mean = empty([c], x.dtype, undefined, dev), variance = empty([c], x.dtype, undefined, dev);
  be().channelStats(x3, mean, variance);
  const { inv, a, d } = noGrad(() => {
    const inv = rsqrt(add(variance, eps));
    const a = weight ? mul(inv, weight.detach()) : inv;
    const d = sub(bias ? bias.detach() : zeroed([c], x.dtype, undefined, dev), mul(mean, a));
    return { inv, a, d };
  });
  const out = empty(x.shape, x.dtype, undefined, dev);
  be().channelAffine(x3, a, d, as3d(out));
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const result = record('batchNorm', out, inputs, (g, need) => {
    const g3 = as3d(contiguousRaw(g));
    const sg = empty([c], x.dtype, undefined, dev), sgx = empty([c], x.dtype, undefined, dev);
    be().channelGradSums(g3, x3, mean, sg, sgx);
    let gx: Tensor | null = null;
    if (need[0]) {
      const { b, d2 } = noGrad(() => {
        const b = mul(mul(mul(neg(a), inv), inv), mul(sgx, 1 / n));
        const d2 = sub(mul(neg(a), mul(sg, 1 / n)), mul(b, mean));
        return { b, d2 };
      });
      gx = empty(x.shape, x.dtype, undefined, dev);
      be().channelAffine(g3, a, d2, as3d(gx), x3, b);
    }
    const grads: (Tensor | null)[] = [gx];
    if (weight) grads.push(need[1] ? noGrad(() => mul(sgx, inv)) : null);
    if (bias) grads.push(need[inputs.length - 1] ? sg : null);
    return grads;
  }, [xc]);
  return { out: result, mean, variance };
}
