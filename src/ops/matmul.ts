import { AutogradError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { broadcastShapes, numel, shapesEqual } from '../core/shape.js';
import { isFloat } from '../core/dtype.js';
import { isGradEnabled, record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumTo } from './broadcast.js';
import { add } from './elementwise.js';
import { reshape, transpose, unsqueeze, squeeze } from './shape.js';
import { be, broadcastView, contiguousRaw, defineMethods, empty } from './util.js';

/**
 * Views a [...batch, R, C] tensor broadcast to `batch` as [B, R, C] without
 * copying when the batch dims collapse into one stride, else as a copy.
 */
function as3d(x: Tensor, batch: readonly number[]): Tensor {
  const [r, c] = x.shape.slice(-2) as [number, number];
  const b = broadcastView(x, [...batch, r, c]);
  const bs = b.strides.slice(0, batch.length);
  // Batch dims collapse when each stride is the next one times its size (ignoring size-1 dims).
  let ok = true;
  let stride: number | null = null;
  for (let d = batch.length - 1; d >= 0; d--) {
    if (batch[d] === 1) continue;
    if (stride !== null && bs[d] !== stride) ok = false;
    stride = bs[d]! * batch[d]!;
  }
  const B = numel(batch);
  if (ok) {
    let inner = 0;
    for (let d = batch.length - 1; d >= 0; d--) if (batch[d] !== 1) { inner = bs[d]!; break; }
    return b._view([B, r, c], [inner, b.strides[batch.length]!, b.strides[batch.length + 1]!], b.offset);
  }
  return contiguousRaw(b)._view([B, r, c], [r * c, c, 1], 0);
}

/** Options of matmul. */
export interface MatmulOptions {
  /**
   * Writes the product into this contiguous tensor of the result's shape and dtype and returns
   * it, like PyTorch's `out=`: no allocation. Not recorded by autograd, so neither operand
   * may require grad while gradients are recorded; it must not share memory with them.
   */
  out?: Tensor;
}

/** Checks a matmul `out=` target against the result's shape and the operands. */
function checkOut(out: Tensor, a: Tensor, b: Tensor, shape: readonly number[]): void {
  if (isGradEnabled() && (a.requiresGrad || b.requiresGrad)) {
    throw new AutogradError('matmul: out= is not recorded by autograd, but an operand requires grad; call it inside noGrad() or drop out=');
  }
  if (out.dtype !== a.dtype) throw new DTypeError(`matmul: out is ${out.dtype} but the product is ${a.dtype}`);
  if (!shapesEqual(out.shape, shape)) throw new ShapeError(`matmul: out has shape ${fmtShape(out.shape)} but the product of ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} is ${fmtShape(shape)}`);
  if (!out.isContiguous()) throw new ShapeError(`matmul: out must be contiguous (strides ${JSON.stringify(out.strides)} for shape ${fmtShape(out.shape)})`);
  if (out.requiresGrad && isGradEnabled()) throw new AutogradError('matmul: out requires grad and cannot be written in place while gradients are recorded');
  if (out.data === a.data || out.data === b.data) throw new ShapeError('matmul: out shares memory with an operand; the product would read what it overwrites');
}

/**
 * Matrix product with PyTorch's rules: 1-d operands gain and lose a dim,
 * batch dims broadcast. Both operands must share a float dtype.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: both operands need at least 1 dim, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  if (a.dtype !== b.dtype) throw new DTypeError(`matmul: dtypes differ: ${a.dtype} @ ${b.dtype}; convert one with .to()`);
  if (!isFloat(a.dtype)) throw new DTypeError(`matmul: expected float32 or float64 operands, got ${a.dtype}`);
  if (opts.out && (a.ndim === 1 || b.ndim === 1)) throw new ShapeError(`matmul: out= needs operands of at least 2 dims, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  // 1-d @ 1-d is a dot product (0-d result); handled first since the two rules below would both fire.
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), []);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [k2, n] = b.shape.slice(-2) as [number, number];
  if (k !== k2) {
    throw new ShapeError(`matmul: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}: inner dimensions ${k} and ${k2} differ`);
  }
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (opts.out) {
    const target = opts.out;
    checkOut(target, a, b, [...batch, m, n]);
    target._version.value++;
    be().matmul(as3d(a, batch), as3d(b, batch), target._view([numel(batch), m, n], [m * n, n, 1], target.offset));
    return target;
  }
  const out = empty([numel(batch), m, n], a.dtype);
  be().matmul(as3d(a, batch), as3d(b, batch), out);
  const result = out._view([...batch, m, n], batchStrides(batch, m, n), 0);
  return record('matmul', result, [a, b], (g, need) => {
    if (a.ndim === 2 && b.ndim === 2) {
      // A transposed operand (x @ wᵀ in linear) gets its gradient in its own layout, so the
      // gradient reaching w is contiguous and can become w.grad without a copy.
      return [
        need[0] ? (isTransposed(a) ? transpose(matmul(b, transpose(g, 0, 1)), 0, 1) : matmul(g, transpose(b, 0, 1))) : null,
        need[1] ? (isTransposed(b) ? transpose(matmul(transpose(g, 0, 1), a), 0, 1) : matmul(transpose(a, 0, 1), g)) : null,
      ];
    }
    return [
      need[0] ? sumTo(matmul(g, transpose(b, -1, -2)), a.shape) : null,
      need[1] ? sumTo(matmul(transpose(a, -1, -2), g), b.shape) : null,
    ];
  }, [a, b]);
}

/** True for a 2-d tensor that is the transpose of a contiguous one. */
function isTransposed(t: Tensor): boolean {
  return t.strides[0] === 1 && t.strides[1] === t.shape[0] && t.shape[0]! > 1 && t.shape[1]! > 1;
}

function batchStrides(batch: readonly number[], m: number, n: number): number[] {
  const strides = [n, 1];
  let s = m * n;
  for (let d = batch.length - 1; d >= 0; d--) {
    strides.unshift(s);
    s *= batch[d]!;
  }
  return strides;
}

/** Batched matrix product of two 3-d tensors [B,M,K] @ [B,K,N]. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3) throw new ShapeError(`bmm: expected 3-d tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.shape[0] !== b.shape[0]) throw new ShapeError(`bmm: batch sizes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return matmul(a, b);
}

/** x @ wᵀ + b, the affine map of a Linear layer (w is [out, in]). */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  if (w.ndim !== 2) throw new ShapeError(`linear: weight must be 2-d [out, in], got ${fmtShape(w.shape)}`);
  if (x.shape[x.ndim - 1] !== w.shape[1]) {
    throw new ShapeError(`linear: input ${fmtShape(x.shape)} has ${x.shape[x.ndim - 1]} features but weight ${fmtShape(w.shape)} expects ${w.shape[1]}`);
  }
  const y = x.ndim === 2 ? matmul(x, transpose(w, 0, 1)) : reshape(matmul(reshape(x, [-1, w.shape[1]!]), transpose(w, 0, 1)), [...x.shape.slice(0, -1), w.shape[0]!]);
  return b ? add(y, b) : y;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Matrix product with broadcasting (PyTorch's @). */
    matmul(other: Tensor, opts?: MatmulOptions): Tensor;
  }
}

defineMethods({ matmul: (a, b: Tensor, opts?: MatmulOptions) => matmul(a, b, opts) });
