import { isFloat } from '../core/dtype.js';
import { AutogradError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { broadcastShapes, shapesEqual } from '../core/shape.js';
import { isGradEnabled } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import type { BinaryOp } from '../backend/backend.js';
import { to } from './cast.js';
import { div, mul } from './elementwise.js';
import { be, broadcastView, defineMethods, scalar, type TensorLike } from './util.js';

/** Refuses in-place writes autograd could not account for, then bumps the version counter. */
function prepare(op: string, x: Tensor): void {
  if (isGradEnabled() && x.requiresGrad) {
    throw new AutogradError(
      x.isLeaf
        ? `${op}: a leaf tensor that requires grad cannot be modified in place while gradients are recorded; do it inside noGrad()`
        : `${op}: in-place modification of a tensor that is part of the autograd graph is not supported; use the out-of-place form`,
    );
  }
  if (x.shape.some((s, d) => s > 1 && x.strides[d] === 0)) {
    throw new ShapeError(`${op}: cannot write in place into an expanded (broadcast) tensor of shape ${fmtShape(x.shape)}; clone() it first`);
  }
  x._version.value++;
}

/** The other operand as a tensor of x's dtype, broadcast to x's shape. */
function operand(op: string, x: Tensor, other: TensorLike): Tensor {
  // Like PyTorch, an in-place op cannot narrow a float result into an integer tensor (copy_ casts freely).
  if (op !== 'copy_' && !isFloat(x.dtype)) {
    const otherFloat = typeof other === 'number' ? !Number.isInteger(other) : isFloat(other.dtype);
    if (otherFloat || op === 'div_') {
      throw new DTypeError(`${op}: the result is float but the in-place target is ${x.dtype}; use the out-of-place op or convert the target first`);
    }
  }
  const t = typeof other === 'number' ? scalar(other, x.dtype) : to(other, x.dtype);
  const shape = broadcastShapes(op, x.shape, t.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new ShapeError(`${op}: operand of shape ${fmtShape(t.shape)} does not broadcast to the in-place target's shape ${fmtShape(x.shape)}`);
  }
  return broadcastView(t, x.shape);
}

function binaryInPlace(op: BinaryOp, name: string, x: Tensor, other: TensorLike): Tensor {
  const o = operand(name, x, other);
  prepare(name, x);
  be().binary(op, x, o, x);
  return x;
}

/** x += alpha · other under the user-facing op `name`, so errors name the op that was called. */
function addScaled(name: string, x: Tensor, other: TensorLike, alpha: number): Tensor {
  return binaryInPlace('add', name, x, alpha === 1 || typeof other === 'number' ? (typeof other === 'number' ? other * alpha : other) : mul(other, alpha));
}
/** x += alpha · other, in place. */
export function add_(x: Tensor, other: TensorLike, alpha = 1): Tensor {
  return addScaled('add_', x, other, alpha);
}
/** x -= alpha · other, in place. */
export function sub_(x: Tensor, other: TensorLike, alpha = 1): Tensor {
  return addScaled('sub_', x, other, -alpha);
}
/** x *= other, in place. */
export const mul_ = (x: Tensor, other: TensorLike): Tensor => binaryInPlace('mul', 'mul_', x, other);
/** x /= other, in place. */
export const div_ = (x: Tensor, other: TensorLike): Tensor => binaryInPlace('div', 'div_', x, other);
/** x += value · a · b, in place. */
export function addcmul_(x: Tensor, a: Tensor, b: Tensor, value = 1): Tensor {
  return addScaled('addcmul_', x, mul(mul(a, b), value), 1);
}
/** x += value · a / b, in place. */
export function addcdiv_(x: Tensor, a: Tensor, b: Tensor, value = 1): Tensor {
  return addScaled('addcdiv_', x, div(mul(a, value), b), 1);
}
/** Sets every element to `value` under the user-facing op `name`. */
function fillNamed(name: string, x: Tensor, value: number): Tensor {
  prepare(name, x);
  be().fill(x, value);
  return x;
}
/** Sets every element to `value`, in place. */
export const fill_ = (x: Tensor, value: number): Tensor => fillNamed('fill_', x, value);
/** Sets every element to 0, in place. */
export const zero_ = (x: Tensor): Tensor => fillNamed('zero_', x, 0);
/** Copies (broadcasting and casting) `src` into x, in place. */
export function copy_(x: Tensor, src: TensorLike): Tensor {
  const o = operand('copy_', x, src);
  prepare('copy_', x);
  be().copy(o, x);
  return x;
}
/** Limits x to [min, max], in place. */
export function clamp_(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if (min == null && max == null) throw new TypeError('clamp_: at least one of min and max must be given');
  prepare('clamp_', x);
  be().unary('clamp', x, x, min ?? NaN, max ?? NaN);
  return x;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    add_(other: TensorLike, alpha?: number): Tensor;
    sub_(other: TensorLike, alpha?: number): Tensor;
    mul_(other: TensorLike): Tensor;
    div_(other: TensorLike): Tensor;
    addcmul_(a: Tensor, b: Tensor, value?: number): Tensor;
    addcdiv_(a: Tensor, b: Tensor, value?: number): Tensor;
    fill_(value: number): Tensor;
    zero_(): Tensor;
    copy_(src: TensorLike): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
  }
}

defineMethods({
  add_: (x, o: TensorLike, a?: number) => add_(x, o, a),
  sub_: (x, o: TensorLike, a?: number) => sub_(x, o, a),
  mul_: (x, o: TensorLike) => mul_(x, o),
  div_: (x, o: TensorLike) => div_(x, o),
  addcmul_: (x, a: Tensor, b: Tensor, v?: number) => addcmul_(x, a, b, v),
  addcdiv_: (x, a: Tensor, b: Tensor, v?: number) => addcdiv_(x, a, b, v),
  fill_: (x, v: number) => fill_(x, v),
  zero_: (x) => zero_(x),
  copy_: (x, s: TensorLike) => copy_(x, s),
  clamp_: (x, lo?: number | null, hi?: number | null) => clamp_(x, lo, hi),
});
