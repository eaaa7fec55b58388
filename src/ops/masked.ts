import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { broadcastShapes, shapesEqual } from '../core/shape.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { expand } from './broadcast.js';
import { to } from './cast.js';
import { where } from './elementwise.js';
import { indexSelect } from './indexing.js';
import { reshape } from './shape.js';
import { broadcastView, contiguousRaw, defineMethods } from './util.js';

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype !== 'bool') throw new DTypeError(`${op}: mask must be bool, got ${mask.dtype} (compare first, e.g. x.gt(0))`);
}

/** `x` with `value` wherever the bool `mask` (broadcast to x's shape) is true; a 0-d tensor value gets a gradient too. */
export function maskedFill(x: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkMask('maskedFill', mask);
  if (typeof value !== 'number' && value.ndim !== 0) throw new ShapeError(`maskedFill: value must be a number or a 0-d tensor, got shape ${fmtShape(value.shape)}`);
  if (!shapesEqual(broadcastShapes('maskedFill', x.shape, mask.shape), x.shape)) {
    throw new ShapeError(`maskedFill: mask ${fmtShape(mask.shape)} does not broadcast to input ${fmtShape(x.shape)}`);
  }
  const v = typeof value === 'number' ? value : to(value, x.dtype);
  return where(mask, v, x);
}

/** The elements of `x` where the bool `mask` is true (both broadcast to a common shape), as a 1-d tensor in row-major order. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkMask('maskedSelect', mask);
  const shape = broadcastShapes('maskedSelect', x.shape, mask.shape);
  const m = contiguousRaw(broadcastView(mask, shape)).data;
  const picked: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) picked.push(i);
  return indexSelect(reshape(expand(x, shape), [-1]), 0, tensor(Int32Array.from(picked)));
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    maskedFill(mask: Tensor, value: number | Tensor): Tensor;
    maskedSelect(mask: Tensor): Tensor;
  }
}

defineMethods({
  maskedFill: (x, m: Tensor, v: number | Tensor) => maskedFill(x, m, v),
  maskedSelect: (x, m: Tensor) => maskedSelect(x, m),
});
