import { promoteTypes } from '../core/dtype.js';
import { DTypeError, IndexError, ShapeError, fmtShape } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import { reshape, slice, unsqueeze } from './shape.js';
import { be, broadcastView, defineMethods, empty, zeroed } from './util.js';

/** Concatenates tensors along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  if (first.ndim === 0) throw new ShapeError('cat: zero-dimensional tensors cannot be concatenated; use stack()');
  const d = normalizeDim('cat', dim, first.ndim);
  let total = 0;
  let dtype = first.dtype;
  for (const [i, t] of tensors.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => k !== d && s !== first.shape[k])) {
      throw new ShapeError(`cat: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; all dims except ${d} must match`);
    }
    total += t.shape[d]!;
    dtype = promoteTypes(dtype, t.dtype);
  }
  const shape = [...first.shape];
  shape[d] = total;
  const out = empty(shape, dtype, undefined, first.device);
  const parts = tensors.map((t) => to(t, dtype));
  let at = 0;
  const starts = parts.map((t) => {
    be().copy(t, slice(out, d, at, at + t.shape[d]!));
    at += t.shape[d]!;
    return at - t.shape[d]!;
  });
  return record('cat', out, parts, (g, need) => parts.map((t, i) => (need[i] ? slice(g, d, starts[i]!, starts[i]! + t.shape[d]!) : null)));
}

/** Stacks same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: expected a non-empty list of tensors');
  const first = tensors[0]!;
  for (const [i, t] of tensors.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((s, k) => s !== first.shape[k])) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; all must match`);
    }
  }
  const d = normalizeDim('stack', dim, first.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Checks an index tensor is int32 with every value in [0, size); `where` names what it indexes. */
function checkIndex(op: string, index: Tensor, size: number, where: string): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
  // A device index is not read back to check it (PyTorch's CUDA kernels check on the device);
  // the WebGPU kernels' out-of-range reads return zeros and writes are dropped, never a crash.
  if (index.device !== 'cpu') return;
  const a = index.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < 0 || v >= size) throw new IndexError(`${op}: index ${v} is out of range for ${where} (expected 0 to ${size - 1})`);
  }
}

/** Values along `dim` at the positions in `index` (same rank as x; PyTorch's gather). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim('gather', dim, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((s, k) => k !== d && s > x.shape[k]!)) {
    throw new ShapeError(`gather: index ${fmtShape(index.shape)} must have the rank of input ${fmtShape(x.shape)} and no larger size outside dim ${d}`);
  }
  checkIndex('gather', index, x.shape[d]!, `dimension ${d} of size ${x.shape[d]}`);
  const out = empty(index.shape, x.dtype);
  be().gather(x, d, index, out);
  return record('gather', out, [x], (g) => [scatterAdd(zeroed(x.shape, g.dtype), d, index, g)], [index]);
}

/** A copy of `base` with `src` added at the positions in `index` along `dim` (PyTorch's scatter_add). */
export function scatterAdd(base: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim('scatterAdd', dim, base.ndim);
  if (index.ndim !== base.ndim || src.ndim !== base.ndim || index.shape.some((s, k) => s > src.shape[k]! || (k !== d && s > base.shape[k]!))) {
    throw new ShapeError(`scatterAdd: index ${fmtShape(index.shape)} must fit both src ${fmtShape(src.shape)} and base ${fmtShape(base.shape)}`);
  }
  checkIndex('scatterAdd', index, base.shape[d]!, `dimension ${d} of size ${base.shape[d]}`);
  const out = empty(base.shape, base.dtype);
  be().copy(base, out);
  be().scatterAdd(out, d, index, src);
  return record('scatterAdd', out, [base, src], (g, need) => [need[0] ? g : null, need[1] ? gather(g, d, index) : null], [index]);
}

/** Rows (or slices along `dim`) picked by a 1-d int32 index. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim('indexSelect', dim, x.ndim);
  if (index.ndim !== 1) throw new ShapeError(`indexSelect: index must be 1-d, got ${fmtShape(index.shape)}`);
  checkIndex('indexSelect', index, x.shape[d]!, `dimension ${d} of size ${x.shape[d]}`);
  const shape = [...x.shape];
  shape[d] = index.shape[0]!;
  // The index, broadcast across the other dims, turns this into a gather.
  const idxShape = shape.map((s, k) => (k === d ? s : 1));
  const full = broadcastView(reshape(index, idxShape), shape);
  const out = empty(shape, x.dtype);
  be().gather(x, d, full, out);
  return record('indexSelect', out, [x], (g) => {
    const gx = zeroed(x.shape, g.dtype);
    be().scatterAdd(gx, d, full, g);
    return [gx];
  }, [index]);
}

/** One-hot encoding of int32 class indices: shape [...index.shape, numClasses], float32 (or `dtype`). */
export function oneHot(index: Tensor, numClasses: number, dtype: 'float32' | 'float64' | 'int32' = 'float32'): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  checkIndex('oneHot', index, numClasses, `numClasses ${numClasses}`);
  const flat = index.toTypedArray();
  const out = zeroed([...index.shape, numClasses], dtype);
  for (let i = 0; i < flat.length; i++) out.data[i * numClasses + flat[i]!] = 1;
  return out;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    gather(dim: number, index: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
  }
}

defineMethods({
  gather: (x, d: number, i: Tensor) => gather(x, d, i),
  indexSelect: (x, d: number, i: Tensor) => indexSelect(x, d, i),
  scatterAdd: (x, d: number, i: Tensor, s: Tensor) => scatterAdd(x, d, i, s),
});
