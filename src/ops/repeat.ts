import { IndexError, ShapeError, fmtShape } from '../core/errors.js';
import { normalizeDims } from '../core/shape.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { expand } from './broadcast.js';
import { indexSelect } from './indexing.js';
import { reshape } from './shape.js';
import { defineMethods } from './util.js';

/**
 * Tiles `x`: dim i is repeated reps[i] times (PyTorch's repeat; reps may be longer than x.ndim, adding
 * leading dims). A view interleaving size-1 dims, expanded and reshaped, so the gradient sums the tiles.
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  if (reps.length < x.ndim) {
    throw new ShapeError(`repeat: got ${reps.length} repeat counts for input ${fmtShape(x.shape)}; need at least one per dimension (${x.ndim})`);
  }
  if (!reps.every((r) => Number.isInteger(r) && r >= 0)) throw new IndexError(`repeat: repeat counts must be non-negative integers, got [${reps.join(', ')}]`);
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const interleaved = shape.flatMap((s) => [1, s]);
  const tiled = shape.flatMap((s, i) => [reps[i]!, s]);
  return reshape(expand(reshape(x, interleaved), tiled), shape.map((s, i) => s * reps[i]!));
}

/** `x` with the order of elements reversed along each of `dims` (a copy, like PyTorch's flip). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const ds = normalizeDims('flip', typeof dims === 'number' ? [dims] : dims, x.ndim);
  let y = x;
  for (const d of ds) {
    const n = x.shape[d]!;
    y = indexSelect(y, d, tensor(Int32Array.from({ length: n }, (_, i) => n - 1 - i)));
  }
  return y;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    repeat(reps: readonly number[]): Tensor;
    flip(dims: number | readonly number[]): Tensor;
  }
}

defineMethods({
  repeat: (x, r: readonly number[]) => repeat(x, r),
  flip: (x, d: number | readonly number[]) => flip(x, d),
});
