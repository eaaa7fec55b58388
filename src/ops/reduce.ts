import { DTypeError, IndexError, fmtShape } from '../core/errors.js';
import { isFloat } from '../core/dtype.js';
import { normalizeDim, normalizeDims } from '../core/shape.js';
import type { ReduceOp } from '../backend/backend.js';
import { noGrad, record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { expand, sum } from './broadcast.js';
import { to } from './cast.js';
import { add, div, eq, exp, log, logicalAnd, mul, sqrt, sub, where } from './elementwise.js';
import { reshape } from './shape.js';
import { be, broadcastView, defineMethods, empty } from './util.js';

type Dims = number | readonly number[] | undefined;

function keptShape(x: Tensor, dims: readonly number[]): number[] {
  return x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
}

function dropDims(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.filter((_, d) => !dims.includes(d));
}

function checkNonEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  if (dims.some((d) => x.shape[d] === 0) || (dims.length === 0 && x.numel() === 0)) {
    throw new IndexError(`${op}: cannot reduce over an empty dimension of shape ${fmtShape(x.shape)}`);
  }
}

/** Mean over dims (all when omitted); integer inputs give float32. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims('mean', dim, x.ndim);
  // A 0-d tensor reduces over its one implicit dim of size 1 (dims = [0] gives shape[0] undefined).
  const n = dims.reduce((a, d) => a * (x.shape[d] ?? 1), 1);
  const xf = isFloat(x.dtype) ? x : to(x, 'float32');
  return div(sum(xf, dims, keepdim), n);
}

/** Max or min values over dims; the gradient is shared evenly among tied maxima (PyTorch's amax rule). */
function extremum(op: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = normalizeDims(op, dim, x.ndim);
  checkNonEmpty(op, x, dims);
  const kept = keptShape(x, dims);
  const out = empty(kept, x.dtype === 'bool' ? 'int32' : x.dtype);
  be().reduce(op as ReduceOp, x, dims, out);
  const result = keepdim ? out : reshape(out, dropDims(x.shape, dims));
  return record(op, result, [x], (g) => {
    const mask = to(eq(x, expand(out, x.shape)), g.dtype);
    const count = sum(mask, dims, true);
    return [mul(mask, expand(div(reshape(g, kept), count), x.shape))];
  }, [x]);
}

/** Largest values over dims (all when omitted). Like torch.amax: returns values only; see argmax. */
export const max = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extremum('max', x, dim, keepdim);
/** Smallest values over dims (all when omitted). */
export const min = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extremum('min', x, dim, keepdim);

/** Product over dims (float only for gradients; zeros handled by division-free recomputation is not attempted). */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims('prod', dim, x.ndim);
  const kept = keptShape(x, dims);
  const out = empty(kept, x.dtype === 'bool' ? 'int32' : x.dtype);
  be().reduce('prod', x, dims, out);
  const result = keepdim ? out : reshape(out, dropDims(x.shape, dims));
  return record('prod', result, [x], (g) => [mul(expand(reshape(g, kept), x.shape), prodOfOthers(x, dims, out))], [x, out]);
}

/**
 * d prod / d x_i = product of the other elements of x_i's slice. out / x_i gives it when the slice has
 * no zero; with one zero only that element gets the product of the rest; with two or more, all get 0.
 */
function prodOfOthers(x: Tensor, dims: readonly number[], out: Tensor): Tensor {
  const isZero = eq(x, 0);
  const zeros = sum(isZero, dims, true);
  const safe = where(isZero, 1, x);
  const prodNonZero = prod(safe, dims, true);
  const noZero = expand(eq(zeros, 0), x.shape);
  const loneZero = logicalAnd(expand(eq(zeros, 1), x.shape), isZero);
  return where(noZero, div(expand(out, x.shape), safe), where(loneZero, expand(prodNonZero, x.shape), 0));
}

/** Index of the largest (argmax) or smallest (argmin) value, over one dim or the flattened tensor; int32. */
function argExtremum(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) {
    if (x.numel() === 0) throw new IndexError(`${op}: empty tensor`);
    const flat = reshape(x, [x.numel()]);
    const out = empty([1], 'int32');
    be().argReduce(op, flat, 0, out);
    return keepdim ? reshape(out, x.shape.map(() => 1)) : reshape(out, []);
  }
  const d = normalizeDim(op, dim, x.ndim);
  checkNonEmpty(op, x, [d]);
  const out = empty(keptShape(x, [d]), 'int32');
  be().argReduce(op, x, d, out);
  return keepdim ? out : reshape(out, dropDims(x.shape, [d]));
}
/** Index of the max (first on ties). */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => argExtremum('argmax', x, dim, keepdim);
/** Index of the min (first on ties). */
export const argmin = (x: Tensor, dim?: number, keepdim = false): Tensor => argExtremum('argmin', x, dim, keepdim);

/** Options of var and std. */
export interface VarOptions {
  /** Divide by n - 1 (Bessel's correction) instead of n; default true, like PyTorch. */
  unbiased?: boolean;
  keepdim?: boolean;
}

/** Variance over dims (all when omitted). */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  if (!isFloat(x.dtype)) throw new DTypeError(`var: expected a float tensor, got ${x.dtype}`);
  const dims = normalizeDims('var', dim, x.ndim);
  const n = dims.reduce((a, d) => a * (x.shape[d] ?? 1), 1);
  const centered = sub(x, mean(x, dims, true));
  const ddof = opts.unbiased === false ? 0 : 1;
  return div(sum(mul(centered, centered), dims, opts.keepdim ?? false), Math.max(n - ddof, 0));
}

/** Standard deviation over dims (all when omitted). */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

/**
 * The max over dims (keepdim), with non-finite maxima replaced by 0: the shift that keeps exp from
 * overflowing. It is a constant for autograd: its gradient contributions cancel exactly.
 */
function stableShift(x: Tensor, dims: readonly number[]): Tensor {
  return noGrad(() => {
    const raw = max(x, dims, true);
    return where(eq(raw, raw).logicalAnd(raw.abs().lt(Infinity)), raw, 0);
  });
}

/** log(sum(exp(x))) over dims, stable for large inputs. */
export function logsumexp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const dims = normalizeDims('logsumexp', dim, x.ndim);
  checkNonEmpty('logsumexp', x, dims);
  const m = stableShift(x, dims);
  const s = add(log(sum(exp(sub(x, m)), dims, true)), m);
  return keepdim ? s : reshape(s, dropDims(x.shape, dims));
}

/**
 * softmax / logSoftmax along one dim as a single backend kernel each way. They work on
 * the shifted z = x − max, never on x − logsumexp(x): in float32, logsumexp of large
 * inputs (|x| ~ 1000) has lost the low digits that the result needs.
 */
function softmaxKernel(op: 'softmax' | 'logSoftmax', x: Tensor, dim: number): Tensor {
  const d = normalizeDim(op, dim, x.ndim);
  checkNonEmpty(op, x, [d]);
  const xf = isFloat(x.dtype) ? x : to(x, 'float32');
  // A 0-d tensor is one line of length 1.
  const src = xf.ndim === 0 ? reshape(xf, [1]) : xf;
  const log = op === 'logSoftmax';
  const out = empty(src.shape, src.dtype);
  be().softmax(src, d, log, out);
  const y = xf.ndim === 0 ? reshape(out, []) : out;
  return record(op, y, [x], (g) => {
    const gx = empty(out.shape, out.dtype);
    be().softmaxBackward(broadcastView(g, out.shape), out, d, log, gx);
    return [xf.ndim === 0 ? reshape(gx, []) : gx];
  }, [out]);
}

/** log(softmax(x)) along dim, computed stably (see softmaxKernel). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxKernel('logSoftmax', x, dim);
}

/** exp(x) / sum(exp(x)) along dim, computed stably (see softmaxKernel). */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxKernel('softmax', x, dim);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    max(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    min(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    prod(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    var(dim?: number | readonly number[], opts?: VarOptions): Tensor;
    std(dim?: number | readonly number[], opts?: VarOptions): Tensor;
    logsumexp(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
  }
}

defineMethods({
  mean: (x, d?: Dims, k?: boolean) => mean(x, d, k),
  max: (x, d?: Dims, k?: boolean) => max(x, d, k),
  min: (x, d?: Dims, k?: boolean) => min(x, d, k),
  prod: (x, d?: Dims, k?: boolean) => prod(x, d, k),
  argmax: (x, d?: number, k?: boolean) => argmax(x, d, k),
  argmin: (x, d?: number, k?: boolean) => argmin(x, d, k),
  var: (x, d?: Dims, o?: VarOptions) => variance(x, d, o),
  std: (x, d?: Dims, o?: VarOptions) => std(x, d, o),
  logsumexp: (x, d?: Dims, k?: boolean) => logsumexp(x, d, k),
  softmax: (x, d: number) => softmax(x, d),
  logSoftmax: (x, d: number) => logSoftmax(x, d),
});
