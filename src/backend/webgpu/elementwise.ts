import type { DType } from '../../core/dtype.js';
import { DeviceError } from '../device.js';
import type { ActivationOp, BinaryOp, UnaryOp, View } from '../backend.js';
import { WG, dispatch, grid, type GpuBuffer } from './context.js';
import { bufferOf, f32bits } from './views.js';

/** WGSL scalar type of a tsgrad dtype on the GPU (bool is u32 0/1). */
export type WType = 'f32' | 'i32' | 'u32';

/** The WGSL type that stores `dtype`. */
export function wtype(dtype: DType, op: string): WType {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32') return 'i32';
  if (dtype === 'bool') return 'u32';
  throw new DeviceError(`${op}: float64 is not supported on webgpu; convert with .to('float32') first`);
}

const ZERO: Record<WType, string> = { f32: '0.0', i32: '0', u32: '0u' };

/** WGSL converting `e` of type `from` to `to` (bool: non-zero is true). */
export function cv(from: WType, to: WType, e: string): string {
  if (from === to) return e;
  if (to === 'u32') return `select(0u, 1u, ${e} != ${ZERO[from]})`;
  return `${to}(${e})`;
}

/** Shared WGSL: metadata access and the linear invocation index. */
export const PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> meta: array<i32>;
fn pf(k: i32) -> f32 { return bitcast<f32>(meta[k]); }
// Infinities and NaN are not constant expressions in WGSL: private variables load them at run time.
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NINF_BITS: u32 = 0xff800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn powf(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (x == 0.0) { return select(bitcast<f32>(INF_BITS), 0.0, y > 0.0); }
  if (x < 0.0) {
    if (floor(y) != y) { return bitcast<f32>(NAN_BITS); }
    let r = exp2(y * log2(-x));
    return select(r, -r, (i32(y) & 1) == 1);
  }
  return exp2(y * log2(x));
}
fn expm1f(x: f32) -> f32 { if (abs(x) < 1e-4) { return x + 0.5 * x * x + x * x * x / 6.0; } return exp(x) - 1.0; }
fn log1pf(x: f32) -> f32 { if (abs(x) < 1e-4) { return x - 0.5 * x * x + x * x * x / 3.0; } return log(1.0 + x); }
fn tanhf(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); return sign(x) * (1.0 - e) / (1.0 + e); }
fn sigmoidf(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
`;

/** The linear index of an invocation in a grid() dispatch of workgroups of WG. */
export const LINEAR = `let i = (wid.x + wid.y * nwg.x) * ${WG}u + lid.x;`;
export const ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>)`;

interface Operand {
  view: View;
  /** The type the expression sees it as. */
  as: WType;
}

/**
 * Runs `expr` (over operands a, b, c, d converted to their `as` types and
 * params p0, p1, ...; result of type `rt`) for every element of `out`,
 * reading strided inputs. An input in out's own buffer is read from the
 * output binding (WebGPU forbids binding one buffer writable and readable).
 * Metadata: [n, nd, shape, outOff, outStrides, per input (off, strides), params].
 */
export function elementwise(name: string, inputs: readonly Operand[], out: View, rt: WType, expr: string, params: readonly number[] = [], paramTypes?: readonly ('f' | 'i')[]): void {
  const n = out.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const nd = out.shape.length;
  const ot = wtype(out.dtype, name);
  const outBuf = bufferOf(out);
  const bindings: GpuBuffer[] = [outBuf];
  const src: string[] = []; // per input: the WGSL array it reads
  const its: WType[] = [];
  for (const o of inputs) {
    const b = bufferOf(o.view);
    its.push(wtype(o.view.dtype, name));
    if (b.buffer === outBuf.buffer) src.push('out');
    else {
      let k = bindings.findIndex((x) => x.buffer === b.buffer);
      if (k < 0) {
        k = bindings.length;
        bindings.push(b);
      }
      src.push(`in${k}`);
    }
  }
  const meta: number[] = [n, nd, ...out.shape, out.offset, ...out.strides];
  for (const o of inputs) meta.push(o.view.offset, ...o.view.strides);
  const pbase = meta.length;
  params.forEach((p, k) => meta.push(paramTypes?.[k] === 'i' ? p | 0 : f32bits(p)));
  const key = `ew:${name}:${expr}:${ot}:${rt}:${inputs.map((o, k) => `${its[k]}>${o.as}@${src[k]}`).join(',')}:${bindings.length}`;
  const code = (): string => {
    const lines: string[] = [PRELUDE, `@group(0) @binding(1) var<storage, read_write> out: array<${ot}>;`];
    for (let k = 1; k < bindings.length; k++) {
      const t = its[src.indexOf(`in${k}`)]!;
      lines.push(`@group(0) @binding(${k + 1}) var<storage, read> in${k}: array<${t}>;`);
    }
    lines.push(`${ENTRY} {`, LINEAR, 'if (i >= u32(meta[0])) { return; }', 'let nd = meta[1];', 'var rem = i32(i);');
    lines.push(`var oo = meta[2 + nd];`);
    inputs.forEach((_, k) => lines.push(`var o${k} = meta[3 + 2 * nd + ${k} * (nd + 1)];`));
    lines.push('for (var d = nd - 1; d >= 0; d--) {', 'let s = meta[2 + d]; let c = rem % s; rem = rem / s;', 'oo += c * meta[3 + nd + d];');
    inputs.forEach((_, k) => lines.push(`o${k} += c * meta[4 + 2 * nd + ${k} * (nd + 1) + d];`));
    lines.push('}');
    lines.push(`let P = ${pbase};`);
    params.forEach((_, k) => lines.push(paramTypes?.[k] === 'i' ? `let p${k} = meta[P + ${k}];` : `let p${k} = pf(P + ${k});`));
    const names = ['a', 'b', 'c', 'd'];
    inputs.forEach((o, k) => lines.push(`let ${names[k]} = ${cv(its[k]!, o.as, `${src[k]}[o${k}]`)};`));
    lines.push(`let r: ${rt} = ${expr};`, `out[oo] = ${cv(rt, ot, 'r')};`, '}');
    return lines.join('\n');
  };
  dispatch(key, code, Int32Array.from(meta), bindings.map((b) => b.buffer), grid(Math.ceil(n / WG)));
}

const UNARY_F: Record<UnaryOp, string> = {
  neg: '-a', exp: 'exp(a)', log: 'log(a)', sqrt: 'sqrt(a)', rsqrt: 'inverseSqrt(a)', abs: 'abs(a)', sign: 'sign(a)',
  reciprocal: '1.0 / a', square: 'a * a', sin: 'sin(a)', cos: 'cos(a)', log1p: 'log1pf(a)', expm1: 'expm1f(a)',
  floor: 'floor(a)', ceil: 'ceil(a)', round: 'round(a)', not: 'select(0.0, 1.0, a == 0.0)',
  relu: 'select(0.0, a, a > 0.0)', sigmoid: 'sigmoidf(a)', tanh: 'tanhf(a)', leakyRelu: 'select(p0 * a, a, a > 0.0)',
  elu: 'select(p0 * expm1f(a), a, a > 0.0)', powScalar: 'powf(a, p0)', clamp: 'min(max(a, p0), p1)',
};

const UNARY_I: Partial<Record<UnaryOp, string>> = {
  neg: '-a', abs: 'abs(a)', sign: 'sign(a)', square: 'a * a', relu: 'max(a, 0)', floor: 'a', ceil: 'a', round: 'a',
};

/** Elementwise unary op (computed in f32, or i32 for integer-exact ops on int32). */
export function unary(op: UnaryOp, x: View, out: View, alpha = 0, beta = 0): void {
  const it = wtype(x.dtype, op);
  if (op === 'not') {
    elementwise(op, [{ view: x, as: 'u32' }], out, 'u32', 'select(0u, 1u, a == 0u)');
    return;
  }
  if (it === 'i32' && wtype(out.dtype, op) === 'i32' && UNARY_I[op]) {
    elementwise(op, [{ view: x, as: 'i32' }], out, 'i32', UNARY_I[op]!);
    return;
  }
  // clamp: a missing bound (NaN) becomes an infinite one.
  const params = op === 'clamp' ? [Number.isNaN(alpha) ? -Infinity : alpha, Number.isNaN(beta) ? Infinity : beta] : [alpha];
  elementwise(op, [{ view: x, as: 'f32' }], out, 'f32', UNARY_F[op], params);
}

const ARITH: Partial<Record<BinaryOp, (t: WType) => string>> = {
  add: () => 'a + b', sub: () => 'a - b', mul: () => 'a * b',
  div: (t) => (t === 'f32' ? 'a / b' : 'select(0, a / b, b != 0)'),
  pow: (t) => (t === 'f32' ? 'powf(a, b)' : 'i32(round(powf(f32(a), f32(b))))'),
  maximum: () => 'max(a, b)', minimum: () => 'min(a, b)',
};
const CMP: Partial<Record<BinaryOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Elementwise binary op on views broadcast to out's shape. */
export function binary(op: BinaryOp, a: View, b: View, out: View): void {
  const at = wtype(a.dtype, op), bt = wtype(b.dtype, op);
  if (op === 'and' || op === 'or') {
    elementwise(op, [{ view: a, as: 'u32' }, { view: b, as: 'u32' }], out, 'u32', `select(0u, 1u, (a != 0u) ${op === 'and' ? '&&' : '||'} (b != 0u))`);
    return;
  }
  const cmp = CMP[op];
  if (cmp) {
    const ct: WType = at === 'f32' || bt === 'f32' ? 'f32' : at === 'i32' || bt === 'i32' ? 'i32' : 'u32';
    elementwise(op, [{ view: a, as: ct }, { view: b, as: ct }], out, 'u32', `select(0u, 1u, a ${cmp} b)`);
    return;
  }
  let ct = wtype(out.dtype, op);
  if (ct === 'u32') ct = 'i32';
  elementwise(op, [{ view: a, as: ct }, { view: b, as: ct }], out, ct, ARITH[op]!(ct));
}

/** out = cond ? a : b. */
export function where(cond: View, a: View, b: View, out: View): void {
  const ot = wtype(out.dtype, 'where');
  elementwise('where', [{ view: cond, as: 'u32' }, { view: a, as: ot }, { view: b, as: ot }], out, ot, 'select(c, b, a != 0u)');
}

/** Copies with a cast. */
export function copy(src: View, out: View): void {
  const ot = wtype(out.dtype, 'copy');
  elementwise('copy', [{ view: src, as: ot }], out, ot, 'a');
}

/** Sets every element. */
export function fill(out: View, value: number): void {
  const ot = wtype(out.dtype, 'fill');
  if (ot === 'f32') elementwise('fill', [], out, 'f32', 'p0', [value]);
  else elementwise('fill', [], out, 'i32', 'p0', [ot === 'u32' ? (value ? 1 : 0) : Math.trunc(value)], ['i']);
}

const ACT: Record<ActivationOp, string> = {
  relu: 'select(0.0, a, c > 0.0)', leakyRelu: 'select(p0 * a, a, b > 0.0)', elu: 'select(a * (c + p0), a, b > 0.0)',
  sigmoid: 'a * c * (1.0 - c)', tanh: 'a * (1.0 - c * c)',
};

/** Gradient of an activation from g, x and y. */
export function activationBackward(op: ActivationOp, g: View, x: View, y: View, out: View, alpha = 0): void {
  elementwise(`${op}Backward`, [{ view: g, as: 'f32' }, { view: x, as: 'f32' }, { view: y, as: 'f32' }], out, 'f32', ACT[op], [alpha]);
}
