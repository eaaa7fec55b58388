import { IndexError, ShapeError, fmtShape } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { narrow } from './shape.js';
import { defineMethods } from './util.js';

/**
 * Views of `x` cut along `dim`: pieces of `size` elements (the last may be smaller) when given a number,
 * or pieces of the listed sizes (which must add up to the dim's size). Gradients flow through each view.
 */
export function split(x: Tensor, sizes: number | readonly number[], dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError('split: a zero-dimensional tensor cannot be split');
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d]!;
  let lengths: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new IndexError(`split: size must be a positive integer, got ${sizes}`);
    lengths = [];
    for (let s = 0; s < n; s += sizes) lengths.push(Math.min(sizes, n - s));
    if (n === 0) lengths.push(0);
  } else {
    if (!sizes.every((s) => Number.isInteger(s) && s >= 0) || sizes.reduce((a, s) => a + s, 0) !== n) {
      throw new ShapeError(`split: sizes [${sizes.join(', ')}] must be non-negative integers adding up to ${n}, the size of dimension ${d} of ${fmtShape(x.shape)}`);
    }
    lengths = [...sizes];
  }
  let at = 0;
  return lengths.map((len) => {
    at += len;
    return narrow(x, d, at - len, len);
  });
}

/** `chunks` views of nearly equal size along `dim` (PyTorch's chunk: size ceil(n/chunks), so maybe fewer pieces). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new IndexError(`chunk: chunks must be a positive integer, got ${chunks}`);
  if (x.ndim === 0) throw new ShapeError('chunk: a zero-dimensional tensor cannot be chunked');
  const n = x.shape[normalizeDim('chunk', dim, x.ndim)]!;
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    split(sizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
  }
}

defineMethods({
  split: (x, s: number | readonly number[], d?: number) => split(x, s, d),
  chunk: (x, c: number, d?: number) => chunk(x, c, d),
});
