import { IndexError, ShapeError, fmtShape } from '../core/errors.js';
import { contiguousStrides, normalizeDim, numel } from '../core/shape.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { be, contiguousRaw, defineMethods, empty, zeroed } from './util.js';

/** Resolves one -1 in a requested shape against the element count. */
function inferSize(op: string, x: Tensor, shape: readonly number[]): number[] {
  const n = x.numel();
  const free = shape.filter((s) => s === -1).length;
  if (free > 1) throw new ShapeError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
  const known = shape.reduce((a, s) => (s === -1 ? a : a * s), 1);
  const out = shape.map((s) => (s === -1 ? (known === 0 ? 0 : n / known) : s));
  if (out.some((s) => !Number.isInteger(s) || s < 0) || numel(out) !== n) {
    throw new ShapeError(`${op}: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(x.shape)} (${n} elements)`);
  }
  return out;
}

/** Strides that let `newShape` view the same memory, or null when a copy is needed (PyTorch's rule). */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (oldShape.length === 0 || numel(oldShape) === 0) return contiguousStrides(newShape);
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    // A chunk ends where the next-slower dim is not laid out right after this one.
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

/** Same elements, new shape, sharing storage; throws when the layout does not allow a view. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferSize('view', x, shape);
  const strides = viewStrides(x.shape, x.strides, target);
  if (!strides) {
    throw new ShapeError(`view: shape ${fmtShape(shape)} cannot view a non-contiguous tensor of shape ${fmtShape(x.shape)}; use reshape() or contiguous()`);
  }
  return record('view', x._view(target, strides, x.offset), [x], (g) => [reshape(g, x.shape)]);
}

/** Same elements, new shape: a view when the layout allows, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferSize('reshape', x, shape);
  const strides = viewStrides(x.shape, x.strides, target);
  const out = strides ? x._view(target, strides, x.offset) : contiguousRaw(x)._view(target, contiguousStrides(target), 0);
  return record('reshape', out, [x], (g) => [reshape(g, x.shape)]);
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new IndexError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Removes size-1 dims (all, or the given one when it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const d = dim === undefined ? -1 : normalizeDim('squeeze', dim, x.ndim);
  const keep = x.shape.map((s, i) => !(s === 1 && (d === -1 || d === i)));
  return record('squeeze', x._view(x.shape.filter((_, i) => keep[i]), x.strides.filter((_, i) => keep[i]), x.offset), [x], (g) => [reshape(g, x.shape)]);
}

/** Inserts a size-1 dim at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  const strides = [...x.strides];
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  return record('unsqueeze', x._view(shape, strides, x.offset), [x], (g) => [reshape(g, x.shape)]);
}

/** Reorders dims (a view). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) throw new ShapeError(`permute: expected ${x.ndim} dims for shape ${fmtShape(x.shape)}, got [${dims.join(',')}]`);
  const p = dims.map((d) => normalizeDim('permute', d, x.ndim));
  if (new Set(p).size !== p.length) throw new IndexError(`permute: repeated dim in [${dims.join(',')}]`);
  const inverse = new Array<number>(p.length);
  p.forEach((d, i) => (inverse[d] = i));
  return record('permute', x._view(p.map((d) => x.shape[d]!), p.map((d) => x.strides[d]!), x.offset), [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dims (a view). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  const p = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, p);
}

/** Transpose of a matrix (2-d), or the tensor itself for 0-d and 1-d. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new ShapeError(`t: expects a tensor with at most 2 dims, got shape ${fmtShape(x.shape)}`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
}

/** Elements start, start+step, ... before end along `dim` (negative indices count from the end), as a view. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normalizeDim('slice', dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(step) || step <= 0) throw new IndexError(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end ?? n), s);
  const len = Math.ceil((e - s) / step);
  const shape = [...x.shape];
  shape[d] = len;
  const strides = [...x.strides];
  strides[d] = x.strides[d]! * step;
  const out = x._view(shape, strides, x.offset + s * x.strides[d]!);
  return record('slice', out, [x], (g) => [scatterInto(x, g, (z) => slice(z, d, s, e, step))]);
}

/** `length` elements from `start` along `dim` (a view), PyTorch's narrow. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim('narrow', dim, x.ndim);
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new IndexError(`narrow: start ${start} and length ${length} out of range for dimension ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

/** The slice at `index` along `dim`, with that dim removed (a view). */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.ndim);
  const n = x.shape[d]!;
  const i = index < 0 ? index + n : index;
  if (!Number.isInteger(i) || i < 0 || i >= n) {
    throw new IndexError(`select: index ${index} out of range for dimension ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const out = x._view(x.shape.filter((_, k) => k !== d), x.strides.filter((_, k) => k !== d), x.offset + i * x.strides[d]!);
  return record('select', out, [x], (g) => [scatterInto(x, g, (z) => select(z, d, i))]);
}

/** Zeros shaped like `x` with `g` copied into the region `region(zeros)` selects: the gradient of a view op. */
function scatterInto(x: Tensor, g: Tensor, region: (z: Tensor) => Tensor): Tensor {
  const z = zeroed(x.shape, g.dtype, undefined, g.device);
  be().copy(g, region(z));
  return z;
}

/** `x` when already contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  if (x.isContiguous()) return x;
  return clone(x);
}

/** A contiguous copy that autograd sees as identity. */
export function clone(x: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  be().copy(x, out);
  return record('clone', out, [x], (g) => [g]);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** View with a new shape (no copy; throws if impossible). */
    view(...shape: number[] | [readonly number[]]): Tensor;
    /** New shape, a view when possible. */
    reshape(...shape: number[] | [readonly number[]]): Tensor;
    /** Merges dims startDim..endDim. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Removes size-1 dims. */
    squeeze(dim?: number): Tensor;
    /** Inserts a size-1 dim. */
    unsqueeze(dim: number): Tensor;
    /** Reorders dims. */
    permute(...dims: number[] | [readonly number[]]): Tensor;
    /** Swaps two dims. */
    transpose(dim0: number, dim1: number): Tensor;
    /** Matrix transpose. */
    t(): Tensor;
    /** Python-style slice along one dim. */
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    /** `length` elements from `start` along `dim`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** One index along `dim`, removing it. */
    select(dim: number, index: number): Tensor;
    /** Contiguous layout (copy only if needed). */
    contiguous(): Tensor;
    /** A copy. */
    clone(): Tensor;
    /** Same as reshape to the other tensor's shape. */
    viewAs(other: Tensor): Tensor;
  }
}

/** Accepts both f(2, 3) and f([2, 3]). */
function dimsArg(args: readonly (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
}

defineMethods({
  view: (x, ...s: (number | readonly number[])[]) => view(x, dimsArg(s)),
  reshape: (x, ...s: (number | readonly number[])[]) => reshape(x, dimsArg(s)),
  flatten: (x, s?: number, e?: number) => flatten(x, s, e),
  squeeze: (x, d?: number) => squeeze(x, d),
  unsqueeze: (x, d: number) => unsqueeze(x, d),
  permute: (x, ...d: (number | readonly number[])[]) => permute(x, dimsArg(d)),
  transpose: (x, a: number, b: number) => transpose(x, a, b),
  t: (x) => t(x),
  slice: (x, d: number, s?: number, e?: number, st?: number) => slice(x, d, s, e, st),
  narrow: (x, d: number, s: number, l: number) => narrow(x, d, s, l),
  select: (x, d: number, i: number) => select(x, d, i),
  contiguous: (x) => contiguous(x),
  clone: (x) => clone(x),
  viewAs: (x, o: Tensor) => view(x, o.shape),
});
