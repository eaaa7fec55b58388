import { checkDType, type DType } from '../core/dtype.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { be, defineMethods, empty } from './util.js';

/** A copy of `x` converted to `dtype` (x itself when it already has it); gradients cast back. */
export function to(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, 'to');
  if (x.dtype === dtype) return x;
  const out = empty(x.shape, dtype);
  be().copy(x, out);
  if (dtype !== 'float32' && dtype !== 'float64') return out;
  return record('to', out, [x], (g) => [to(g, x.dtype)]);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Converts to another dtype (no copy when it already has it). */
    to(dtype: DType): Tensor;
    /** Converts to float32. */
    float(): Tensor;
    /** Converts to float64. */
    double(): Tensor;
    /** Converts to int32 (truncating toward zero). */
    int(): Tensor;
    /** Converts to bool (non-zero is true). */
    bool(): Tensor;
  }
}

defineMethods({
  to: (x, d: DType) => to(x, d),
  float: (x) => to(x, 'float32'),
  double: (x) => to(x, 'float64'),
  int: (x) => to(x, 'int32'),
  bool: (x) => to(x, 'bool'),
});
