import { ShapeError, fmtShape } from '../core/errors.js';
import { normalizeDims } from '../core/shape.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { be, broadcastView, defineMethods, empty } from './util.js';

// sum and expand are each other's gradient, so they live together.

/** Sum over `dim` (one, several, or all when omitted); integer inputs sum to int32. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  const dims = normalizeDims('sum', dim, x.ndim);
  const keptShape = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const out = empty(keptShape, x.dtype === 'bool' ? 'int32' : x.dtype);
  be().reduce('sum', x, dims, out);
  const result = keepdim ? out : out._view(x.shape.filter((_, d) => !dims.includes(d)), out.strides.filter((_, d) => !dims.includes(d)), 0);
  return record('sum', result, [x], (g) => [expand(keepdim ? g : unsqueezeDims(g, dims, keptShape), x.shape)]);
}

/** Views a gradient of the reduced shape with the reduced dims put back as size 1. */
function unsqueezeDims(g: Tensor, dims: readonly number[], kept: readonly number[]): Tensor {
  let k = 0;
  const strides = kept.map((_, d) => (dims.includes(d) ? 0 : g.strides[k++]!));
  return g._view(kept, strides, g.offset);
}

/** Broadcasts `x` to `shape` as a view (-1 keeps a dimension); the gradient sums back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < x.ndim) {
    throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: the target has fewer dimensions`);
  }
  const lead = shape.length - x.ndim;
  if (shape.slice(0, lead).includes(-1)) {
    throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: -1 is not allowed in a new leading dimension`);
  }
  const target = shape.map((s, i) => (s === -1 && i >= lead ? x.shape[i - lead]! : s));
  target.forEach((s, i) => {
    const have = i >= lead ? x.shape[i - lead]! : 1;
    if (!(Number.isInteger(s) && s >= 0) || (have !== 1 && have !== s)) {
      throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: dimension ${i} is ${have} (must be 1 or ${s})`);
    }
  });
  const out = broadcastView(x, target);
  if (out === x) return x;
  return record('expand', out, [x], (g) => [sumTo(g, x.shape)]);
}

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  let r = lead > 0 ? sum(g, Array.from({ length: lead }, (_, i) => i)) : g;
  const ones = shape.map((s, i) => (s === 1 && r.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  if (ones.length) r = sum(r, ones, true);
  return r;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Sum over one, several or all dims. */
    sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    /** Broadcast view to a larger shape (-1 keeps a dim). */
    expand(shape: readonly number[]): Tensor;
    /** Broadcast view to the shape of another tensor. */
    expandAs(other: Tensor): Tensor;
  }
}

defineMethods({
  sum: (x, dim?: number | readonly number[], keepdim?: boolean) => sum(x, dim, keepdim),
  expand: (x, shape: readonly number[]) => expand(x, shape),
  expandAs: (x, o: Tensor) => expand(x, o.shape),
});
