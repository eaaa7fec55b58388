import { isFloat, type DType } from '../core/dtype.js';
import { DTypeError } from '../core/errors.js';
import { broadcastShapes } from '../core/shape.js';
import type { ActivationOp, BinaryOp, UnaryOp } from '../backend/backend.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumTo } from './broadcast.js';
import { to } from './cast.js';
import { be, broadcastView, defineMethods, empty, resultDType, scalar, type TensorLike } from './util.js';

// ---------- unary ----------

/** Runs a unary kernel; ops that only make sense on floats first turn integers into float32. */
function unaryKernel(op: UnaryOp, x: Tensor, floatOnly: boolean, alpha?: number, beta?: number): Tensor {
  const src = floatOnly && !isFloat(x.dtype) ? to(x, 'float32') : x;
  const out = empty(src.shape, src.dtype);
  be().unary(op, src, out, alpha, beta);
  return out;
}

/** An activation's input gradient in one kernel pass (Backend.activationBackward says which of x, y each op reads). */
function activationGrad(op: ActivationOp, g: Tensor, x: Tensor, y: Tensor, alpha = 0): Tensor {
  const out = empty(y.shape, y.dtype);
  be().activationBackward(op, broadcastView(g, y.shape), x, y, out, alpha);
  return out;
}

/** Negation. */
export function neg(x: Tensor): Tensor {
  if (x.dtype === 'bool') throw new DTypeError('neg: negation of a bool tensor is not supported; use logicalNot()');
  return record('neg', unaryKernel('neg', x, false), [x], (g) => [neg(g)]);
}
/** e^x. */
export function exp(x: Tensor): Tensor {
  const y = unaryKernel('exp', x, true);
  return record('exp', y, [x], (g) => [mul(g, y)], [y]);
}
/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return record('log', unaryKernel('log', x, true), [x], (g) => [div(g, x)], [x]);
}
/** Square root. */
export function sqrt(x: Tensor): Tensor {
  const y = unaryKernel('sqrt', x, true);
  return record('sqrt', y, [x], (g) => [div(g, mul(y, 2))], [y]);
}
/** 1 / sqrt(x). */
export function rsqrt(x: Tensor): Tensor {
  const y = unaryKernel('rsqrt', x, true);
  return record('rsqrt', y, [x], (g) => [mul(g, mul(pow(y, 3), -0.5))], [y]);
}
/** |x|; its gradient at 0 is 0, like PyTorch. */
export function abs(x: Tensor): Tensor {
  return record('abs', unaryKernel('abs', x, false), [x], (g) => [mul(g, sign(x))], [x]);
}
/** -1, 0 or 1 (zero gradient). */
export function sign(x: Tensor): Tensor {
  return record('sign', unaryKernel('sign', x, false), [x], (g) => [mul(g, 0)]);
}
/** 1 / x. */
export function reciprocal(x: Tensor): Tensor {
  const y = unaryKernel('reciprocal', x, true);
  return record('reciprocal', y, [x], (g) => [neg(mul(g, mul(y, y)))], [y]);
}
/** x². */
export function square(x: Tensor): Tensor {
  return record('square', unaryKernel('square', x, false), [x], (g) => [mul(g, mul(x, 2))], [x]);
}
/** Sine. */
export function sin(x: Tensor): Tensor {
  return record('sin', unaryKernel('sin', x, true), [x], (g) => [mul(g, cos(x))], [x]);
}
/** Cosine. */
export function cos(x: Tensor): Tensor {
  return record('cos', unaryKernel('cos', x, true), [x], (g) => [neg(mul(g, sin(x)))], [x]);
}
/** log(1 + x), accurate near 0. */
export function log1p(x: Tensor): Tensor {
  return record('log1p', unaryKernel('log1p', x, true), [x], (g) => [div(g, add(x, 1))], [x]);
}
/** e^x - 1, accurate near 0. */
export function expm1(x: Tensor): Tensor {
  const y = unaryKernel('expm1', x, true);
  return record('expm1', y, [x], (g) => [mul(g, add(y, 1))], [y]);
}
/** Rounding ops have zero gradient almost everywhere. */
function rounding(op: 'floor' | 'ceil' | 'round', x: Tensor): Tensor {
  return record(op, unaryKernel(op, x, false), [x], (g) => [mul(g, 0)]);
}
/** Largest integer <= x. */
export const floor = (x: Tensor): Tensor => rounding('floor', x);
/** Smallest integer >= x. */
export const ceil = (x: Tensor): Tensor => rounding('ceil', x);
/** Nearest integer, halves to even. */
export const round = (x: Tensor): Tensor => rounding('round', x);

/** Logical not (bool result). */
export function logicalNot(x: Tensor): Tensor {
  const out = empty(x.shape, 'bool');
  be().unary('not', x, out);
  return out;
}

/** max(x, 0). */
export function relu(x: Tensor): Tensor {
  const y = unaryKernel('relu', x, false);
  return record('relu', y, [x], (g) => [activationGrad('relu', g, y, y)], [y]);
}
/** x for x > 0, slope·x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const y = unaryKernel('leakyRelu', x, true, negativeSlope);
  return record('leakyRelu', y, [x], (g) => [activationGrad('leakyRelu', g, x, x, negativeSlope)], [x]);
}
/** x for x > 0, alpha·(e^x - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  const y = unaryKernel('elu', x, true, alpha);
  return record('elu', y, [x], (g) => [activationGrad('elu', g, x, y, alpha)], [x, y]);
}
/** 1 / (1 + e^-x), computed without overflow. */
export function sigmoid(x: Tensor): Tensor {
  const y = unaryKernel('sigmoid', x, true);
  return record('sigmoid', y, [x], (g) => [activationGrad('sigmoid', g, y, y)], [y]);
}
/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  const y = unaryKernel('tanh', x, true);
  return record('tanh', y, [x], (g) => [activationGrad('tanh', g, y, y)], [y]);
}
/** Limits values to [min, max] (either may be omitted); the gradient passes where min <= x <= max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? NaN;
  const hi = max ?? NaN;
  if (Number.isNaN(lo) && Number.isNaN(hi)) throw new TypeError('clamp: at least one of min and max must be given');
  // A fractional bound on an integer tensor promotes to float32, as PyTorch's type promotion does.
  const fractional = !Number.isInteger(lo) && !Number.isNaN(lo) || (!Number.isInteger(hi) && !Number.isNaN(hi));
  const y = unaryKernel('clamp', x, fractional, lo, hi);
  const pass = (g: Tensor): Tensor => {
    let m: Tensor | null = null;
    if (!Number.isNaN(lo)) m = ge(x, lo);
    if (!Number.isNaN(hi)) m = m ? logicalAnd(m, le(x, hi)) : le(x, hi);
    return mul(g, m!);
  };
  return record('clamp', y, [x], (g) => [pass(g)], [x]);
}

// ---------- binary ----------

/** Turns numbers into 0-d tensors and casts both operands to the common dtype. */
function operands(op: string, a: TensorLike, b: TensorLike, dtype: DType): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError(`${op}: at least one operand must be a tensor`);
  const ta = typeof a === 'number' ? scalar(a, dtype) : to(a, dtype);
  const tb = typeof b === 'number' ? scalar(b, dtype) : to(b, dtype);
  return [ta, tb];
}

/** Runs a broadcasting binary kernel; `outDType` overrides the result dtype (bool for comparisons). */
function binaryKernel(op: BinaryOp, x: Tensor, y: Tensor, outDType: DType = x.dtype): Tensor {
  const shape = broadcastShapes(op, x.shape, y.shape);
  const out = empty(shape, outDType, op);
  be().binary(op, broadcastView(x, shape), broadcastView(y, shape), out);
  return out;
}

/** a + b with broadcasting; for two bool tensors it is logical or (PyTorch: True + True = True). */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('add', a, b, resultDType(a, b, 'add'));
  return record('add', binaryKernel(x.dtype === 'bool' ? 'or' : 'add', x, y), [x, y], (g, n) => [n[0] ? sumTo(g, x.shape) : null, n[1] ? sumTo(g, y.shape) : null]);
}
/** a - b with broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('sub', a, b, resultDType(a, b, 'sub'));
  if (x.dtype === 'bool') throw new DTypeError('sub: subtraction of two bool tensors is not supported; use ne() (logical xor) instead');
  return record('sub', binaryKernel('sub', x, y), [x, y], (g, n) => [n[0] ? sumTo(g, x.shape) : null, n[1] ? sumTo(neg(g), y.shape) : null]);
}
/** a · b elementwise with broadcasting; for two bool tensors it is logical and. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('mul', a, b, resultDType(a, b, 'mul'));
  return record('mul', binaryKernel(x.dtype === 'bool' ? 'and' : 'mul', x, y), [x, y], (g, n) => [n[0] ? sumTo(mul(g, y), x.shape) : null, n[1] ? sumTo(mul(g, x), y.shape) : null], [x, y]);
}
/** a / b with broadcasting; always a float result (true division). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  let dt = resultDType(a, b, 'div');
  if (!isFloat(dt)) dt = 'float32';
  const [x, y] = operands('div', a, b, dt);
  return record('div', binaryKernel('div', x, y), [x, y], (g, n) => [
    n[0] ? sumTo(div(g, y), x.shape) : null,
    n[1] ? sumTo(neg(div(mul(g, x), mul(y, y))), y.shape) : null,
  ], [x, y]);
}
/** a ** b; a number exponent uses the cheaper scalar kernel. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a !== 'number' && typeof b === 'number') {
    const p = b;
    const y = unaryKernel('powScalar', a, !Number.isInteger(p) || p < 0, p);
    // x^0 is constant: its gradient is 0 everywhere (0 · x^-1 would be NaN at x = 0), as in PyTorch.
    return record('pow', y, [a], (g) => [p === 0 ? mul(g, 0) : mul(g, p === 2 ? mul(a, 2) : mul(pow(a, p - 1), p))], [a]);
  }
  let dt = resultDType(a, b, 'pow');
  if (!isFloat(dt)) dt = 'float32';
  const [x, y] = operands('pow', a, b, dt);
  const out = binaryKernel('pow', x, y);
  return record('pow', out, [x, y], (g, n) => [
    n[0] ? sumTo(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    n[1] ? sumTo(mul(g, mul(out, where(gt(x, 0), log(x), 0))), y.shape) : null,
  ], [x, y, out]);
}
/** Share of the gradient each side of max/min gets: 1 for the winner, ½ each on a tie. */
function tieShare(win: Tensor, tie: Tensor, dt: DType): Tensor {
  return add(to(win, dt), mul(to(tie, dt), 0.5));
}
/** Elementwise maximum (NaN propagates). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('maximum', a, b, resultDType(a, b, 'maximum'));
  return record('maximum', binaryKernel('maximum', x, y), [x, y], (g, n) => {
    const tie = eq(x, y);
    return [n[0] ? sumTo(mul(g, tieShare(gt(x, y), tie, g.dtype)), x.shape) : null, n[1] ? sumTo(mul(g, tieShare(lt(x, y), tie, g.dtype)), y.shape) : null];
  }, [x, y]);
}
/** Elementwise minimum (NaN propagates). */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('minimum', a, b, resultDType(a, b, 'minimum'));
  return record('minimum', binaryKernel('minimum', x, y), [x, y], (g, n) => {
    const tie = eq(x, y);
    return [n[0] ? sumTo(mul(g, tieShare(lt(x, y), tie, g.dtype)), x.shape) : null, n[1] ? sumTo(mul(g, tieShare(gt(x, y), tie, g.dtype)), y.shape) : null];
  }, [x, y]);
}

/** A comparison or logical op: bool result, no gradient. */
function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(op, a, b, resultDType(a, b, op));
  return binaryKernel(op, x, y, 'bool');
}
/** a == b. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare('eq', a, b);
/** a != b. */
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare('ne', a, b);
/** a < b. */
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare('lt', a, b);
/** a <= b. */
export const le = (a: TensorLike, b: TensorLike): Tensor => compare('le', a, b);
/** a > b. */
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare('gt', a, b);
/** a >= b. */
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare('ge', a, b);
/** Elementwise logical and. */
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => compare('and', a, b);
/** Elementwise logical or. */
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => compare('or', a, b);

/** cond ? a : b elementwise, broadcasting all three; cond must be bool. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool') throw new DTypeError(`where: condition must be bool, got ${cond.dtype}`);
  // Two plain numbers: a float32 result (PyTorch's default dtype), like torch.where(cond, 1.0, 0.0).
  if (typeof a === 'number' && typeof b === 'number') return where(cond, scalar(a, 'float32'), b);
  const [x, y] = operands('where', a, b, resultDType(a, b, 'where'));
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const out = empty(shape, x.dtype);
  be().where(broadcastView(cond, shape), broadcastView(x, shape), broadcastView(y, shape), out);
  return record('where', out, [x, y], (g, n) => [
    n[0] ? sumTo(where(cond, g, 0), x.shape) : null,
    n[1] ? sumTo(where(cond, 0, g), y.shape) : null,
  ], [cond]);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(other: TensorLike): Tensor;
    sub(other: TensorLike): Tensor;
    mul(other: TensorLike): Tensor;
    div(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    maximum(other: TensorLike): Tensor;
    minimum(other: TensorLike): Tensor;
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    logicalAnd(other: TensorLike): Tensor;
    logicalOr(other: TensorLike): Tensor;
    logicalNot(): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    reciprocal(): Tensor;
    square(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    log1p(): Tensor;
    expm1(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    relu(): Tensor;
    leakyRelu(negativeSlope?: number): Tensor;
    elu(alpha?: number): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
  }
}

defineMethods({
  add: (x, o: TensorLike) => add(x, o), sub: (x, o: TensorLike) => sub(x, o),
  mul: (x, o: TensorLike) => mul(x, o), div: (x, o: TensorLike) => div(x, o),
  pow: (x, o: TensorLike) => pow(x, o),
  maximum: (x, o: TensorLike) => maximum(x, o), minimum: (x, o: TensorLike) => minimum(x, o),
  eq: (x, o: TensorLike) => eq(x, o), ne: (x, o: TensorLike) => ne(x, o),
  lt: (x, o: TensorLike) => lt(x, o), le: (x, o: TensorLike) => le(x, o),
  gt: (x, o: TensorLike) => gt(x, o), ge: (x, o: TensorLike) => ge(x, o),
  logicalAnd: (x, o: TensorLike) => logicalAnd(x, o), logicalOr: (x, o: TensorLike) => logicalOr(x, o),
  logicalNot, neg, exp, log, sqrt, rsqrt, abs, sign, reciprocal, square, sin, cos, log1p, expm1, floor, ceil, round,
  relu, sigmoid, tanh,
  leakyRelu: (x, s?: number) => leakyRelu(x, s),
  elu: (x, a?: number) => elu(x, a),
  clamp: (x, lo?: number | null, hi?: number | null) => clamp(x, lo, hi),
});
