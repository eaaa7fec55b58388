import type { ActivationOp, BinaryOp, UnaryOp, View } from '../backend.js';
import { forEachRow, innerStride } from './iterate.js';

type Fn1 = (x: number, a: number, b: number) => number;
type Fn2 = (x: number, y: number) => number;

/** Scalar definitions of the unary ops: the reference semantics for every backend. */
export const UNARY: Record<UnaryOp, Fn1> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  sin: Math.sin,
  cos: Math.cos,
  log1p: Math.log1p,
  expm1: Math.expm1,
  floor: Math.floor,
  ceil: Math.ceil,
  // PyTorch rounds half to even.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  not: (x) => (x ? 0 : 1),
  relu: (x) => (x <= 0 ? 0 : x), // NaN passes through, like PyTorch
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
  leakyRelu: (x, a) => (x > 0 ? x : a * x),
  elu: (x, a) => (x > 0 ? x : a * Math.expm1(x)),
  powScalar: (x, a) => (a === 2 ? x * x : a === 0.5 ? Math.sqrt(x) : Math.pow(x, a)),
  clamp: (x, lo, hi) => {
    let v = x;
    if (!Number.isNaN(lo) && v < lo) v = lo;
    if (!Number.isNaN(hi) && v > hi) v = hi;
    return v;
  },
};

/** Scalar definitions of the binary ops. */
export const BINARY: Record<BinaryOp, Fn2> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: Math.pow,
  maximum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y),
  minimum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y),
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
  and: (x, y) => (x && y ? 1 : 0),
  or: (x, y) => (x || y ? 1 : 0),
};

/** out = op(x), elementwise; int32 outputs truncate like a C cast. */
export function unary(op: UnaryOp, x: View, out: View, alpha = 0, beta = 0): void {
  const f = UNARY[op];
  const xs = innerStride(x.strides);
  const os = innerStride(out.strides);
  const xd = x.data;
  const od = out.data;
  forEachRow(out.shape, [x.strides, out.strides], [x.offset, out.offset], (offs, n) => {
    let xi = offs[0]!;
    let oi = offs[1]!;
    for (let i = 0; i < n; i++, xi += xs, oi += os) od[oi] = f(xd[xi]!, alpha, beta);
  });
}

/** out = op(a, b), elementwise over views already broadcast to out's shape. */
export function binary(op: BinaryOp, a: View, b: View, out: View): void {
  const f = BINARY[op];
  const as = innerStride(a.strides);
  const bs = innerStride(b.strides);
  const os = innerStride(out.strides);
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  forEachRow(out.shape, [a.strides, b.strides, out.strides], [a.offset, b.offset, out.offset], (offs, n) => {
    let ai = offs[0]!;
    let bi = offs[1]!;
    let oi = offs[2]!;
    for (let i = 0; i < n; i++, ai += as, bi += bs, oi += os) od[oi] = f(ad[ai]!, bd[bi]!);
  });
}

/** out = cond ? a : b. */
export function where(cond: View, a: View, b: View, out: View): void {
  const cs = innerStride(cond.strides);
  const as = innerStride(a.strides);
  const bs = innerStride(b.strides);
  const os = innerStride(out.strides);
  const cd = cond.data;
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  forEachRow(out.shape, [cond.strides, a.strides, b.strides, out.strides], [cond.offset, a.offset, b.offset, out.offset], (offs, n) => {
    let ci = offs[0]!;
    let ai = offs[1]!;
    let bi = offs[2]!;
    let oi = offs[3]!;
    for (let i = 0; i < n; i++, ci += cs, ai += as, bi += bs, oi += os) od[oi] = cd[ci] ? ad[ai]! : bd[bi]!;
  });
}

/** Strided copy with cast (bool targets store 0/1). */
export function copy(src: View, out: View): void {
  const ss = innerStride(src.strides);
  const os = innerStride(out.strides);
  const sd = src.data;
  const od = out.data;
  const toBool = out.dtype === 'bool' && src.dtype !== 'bool';
  forEachRow(out.shape, [src.strides, out.strides], [src.offset, out.offset], (offs, n) => {
    let si = offs[0]!;
    let oi = offs[1]!;
    if (toBool) for (let i = 0; i < n; i++, si += ss, oi += os) od[oi] = sd[si] ? 1 : 0;
    else for (let i = 0; i < n; i++, si += ss, oi += os) od[oi] = sd[si]!;
  });
}

/** Sets every element of a view. */
export function fill(out: View, value: number): void {
  const os = innerStride(out.strides);
  const od = out.data;
  forEachRow(out.shape, [out.strides], [out.offset], (offs, n) => {
    let oi = offs[0]!;
    for (let i = 0; i < n; i++, oi += os) od[oi] = value;
  });
}

/** Gradient of an activation (Backend.activationBackward): the reference formulas. */
export function activationBackward(op: ActivationOp, g: View, x: View, y: View, out: View, alpha = 0): void {
  const gs = innerStride(g.strides);
  const xs = innerStride(x.strides);
  const ys = innerStride(y.strides);
  const os = innerStride(out.strides);
  const gd = g.data;
  const xd = x.data;
  const yd = y.data;
  const od = out.data;
  forEachRow(out.shape, [g.strides, x.strides, y.strides, out.strides], [g.offset, x.offset, y.offset, out.offset], (offs, n) => {
    let gi = offs[0]!;
    let xi = offs[1]!;
    let yi = offs[2]!;
    let oi = offs[3]!;
    for (let i = 0; i < n; i++, gi += gs, xi += xs, yi += ys, oi += os) {
      const gv = gd[gi]!;
      switch (op) {
        case 'relu': od[oi] = yd[yi]! > 0 ? gv : 0; break;
        case 'leakyRelu': od[oi] = xd[xi]! > 0 ? gv : alpha * gv; break;
        case 'elu': od[oi] = xd[xi]! > 0 ? gv : gv * (yd[yi]! + alpha); break;
        case 'sigmoid': { const v = yd[yi]!; od[oi] = gv * v * (1 - v); break; }
        case 'tanh': { const v = yd[yi]!; od[oi] = gv * (1 - v * v); break; }
      }
    }
  });
}
