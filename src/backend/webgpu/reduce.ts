import type { ReduceOp, View } from '../backend.js';
import { WG, dispatch, grid } from './context.js';
import { PRELUDE, cv, wtype, type WType } from './elementwise.js';
import { bufferOf } from './views.js';

// One workgroup per output element: its WG invocations stride over the reduced elements, then a
// tree in workgroup memory combines them.
const GROUP_ENTRY = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>)`;
const GROUP_INDEX = 'let gi = i32(wid.x + wid.y * nwg.x); let t = i32(lid.x);';

/** WGSL of a tree reduction of `sh` (workgroup array of WG) with `combine(x, y)`. */
function tree(sh: string, combine: (x: string, y: string) => string): string {
  return `workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s / 2) {
    if (t < s) { ${sh}[t] = ${combine(`${sh}[t]`, `${sh}[t + s]`)}; }
    workgroupBarrier();
  }`;
}

const IDENT: Record<ReduceOp, Record<WType, string>> = {
  sum: { f32: '0.0', i32: '0', u32: '0u' },
  prod: { f32: '1.0', i32: '1', u32: '1u' },
  max: { f32: 'bitcast<f32>(NINF_BITS)', i32: '-2147483647 - 1', u32: '0u' },
  min: { f32: 'bitcast<f32>(INF_BITS)', i32: '2147483647', u32: '1u' },
};
const COMBINE: Record<ReduceOp, (x: string, y: string) => string> = {
  sum: (x, y) => `${x} + ${y}`, prod: (x, y) => `${x} * ${y}`, max: (x, y) => `max(${x}, ${y})`, min: (x, y) => `min(${x}, ${y})`,
};

/** Metadata locating the kept part (by output index) and the reduced part of x. */
function reduceMeta(x: View, dims: readonly number[], out: View): number[] {
  const nd = x.shape.length;
  const nOut = out.shape.reduce((a, b) => a * b, 1);
  const red = dims.map((d) => x.shape[d]!);
  const nRed = red.reduce((a, b) => a * b, 1);
  return [nOut, nd, ...out.shape, x.offset, ...x.strides, out.offset, ...out.strides, nRed, dims.length, ...red, ...dims.map((d) => x.strides[d]!)];
}

// Decodes the group's output index into x's base offset (xb) and out's offset (ob), and declares
// `red(r)`: x's offset of reduced element r.
const LOCATE = `let nd = meta[1];
  var rem = gi; var xb = meta[2 + nd]; var ob = meta[3 + 2 * nd];
  for (var d = nd - 1; d >= 0; d--) {
    let s = meta[2 + d]; let c = rem % s; rem = rem / s;
    xb += c * meta[3 + nd + d]; ob += c * meta[4 + 2 * nd + d];
  }
  let R = 4 + 3 * nd; let nRed = meta[R]; let nr = meta[R + 1];`;
const RED_FN = `fn red(r0: i32, R: i32, nr: i32) -> i32 {
  var r = r0; var off = 0;
  for (var d = nr - 1; d >= 0; d--) { let s = meta[R + 2 + d]; off += (r % s) * meta[R + 2 + nr + d]; r = r / s; }
  return off;
}`;

/** Sum/prod/max/min over dims. */
export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
  const meta = reduceMeta(x, dims, out);
  if (meta[0] === 0) return;
  const xt = wtype(x.dtype, op), ot = wtype(out.dtype, op);
  const at: WType = ot === 'u32' && op !== 'max' && op !== 'min' ? 'i32' : ot;
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<${ot}>;
@group(0) @binding(2) var<storage, read> x: array<${xt}>;
var<workgroup> sh: array<${at}, ${WG}>;
${RED_FN}
${GROUP_ENTRY} {
  ${GROUP_INDEX}
  if (gi >= meta[0]) { return; }
  ${LOCATE}
  var acc: ${at} = ${IDENT[op][at]};
  for (var r = t; r < nRed; r += ${WG}) { let v = ${cv(xt, at, 'x[xb + red(r, R, nr)]')}; acc = ${COMBINE[op]('acc', 'v')}; }
  sh[t] = acc;
  ${tree('sh', COMBINE[op])}
  if (t == 0) { out[ob] = ${cv(at, ot, 'sh[0]')}; }
}`;
  dispatch(`reduce:${op}:${xt}:${ot}`, code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(x).buffer], grid(meta[0]!));
}

/** Index of the first max/min along dim. */
export function argReduce(op: 'argmax' | 'argmin', x: View, dim: number, out: View): void {
  const meta = reduceMeta(x, [dim], out);
  if (meta[0] === 0) return;
  const xt = wtype(x.dtype, op);
  const better = op === 'argmax' ? '>' : '<';
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<storage, read> x: array<${xt}>;
var<workgroup> sv: array<f32, ${WG}>;
var<workgroup> si: array<i32, ${WG}>;
${RED_FN}
${GROUP_ENTRY} {
  ${GROUP_INDEX}
  if (gi >= meta[0]) { return; }
  ${LOCATE}
  var bv = f32(x[xb + red(0, R, nr)]); var bi = 0x7fffffff;
  for (var r = t; r < nRed; r += ${WG}) {
    let v = f32(x[xb + red(r, R, nr)]);
    if (bi == 0x7fffffff || v ${better} bv) { bv = v; bi = r; }
  }
  sv[t] = bv; si[t] = bi;
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s / 2) {
    if (t < s) {
      let v = sv[t + s]; let j = si[t + s];
      if (j != 0x7fffffff && (si[t] == 0x7fffffff || v ${better} sv[t] || (v == sv[t] && j < si[t]))) { sv[t] = v; si[t] = j; }
    }
    workgroupBarrier();
  }
  if (t == 0) { out[ob] = si[0]; }
}`;
  dispatch(`arg:${op}:${xt}`, code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(x).buffer], grid(meta[0]!));
}

/** Metadata of a per-line kernel along dim: lines decoded over the shape with dim's size 1. */
function lineMeta(views: readonly View[], dim: number): number[] {
  const shape = views[0]!.shape;
  const lines = shape.reduce((a, b, d) => (d === dim ? a : a * b), 1);
  const lineShape = shape.map((s, d) => (d === dim ? 1 : s));
  const meta = [lines, shape.length, shape[dim]!, ...lineShape];
  for (const v of views) meta.push(v.offset, v.strides[dim]!, ...v.strides);
  return meta;
}

function lineBases(k: number): string {
  const decl: string[] = [];
  for (let j = 0; j < k; j++) decl.push(`var b${j} = meta[3 + nd + ${j} * (nd + 2)]; let s${j} = meta[4 + nd + ${j} * (nd + 2)];`);
  const add: string[] = [];
  for (let j = 0; j < k; j++) add.push(`b${j} += c * meta[5 + nd + ${j} * (nd + 2) + d];`);
  return `let nd = meta[1]; let L = meta[2];
  ${decl.join('\n  ')}
  var rem = gi;
  for (var d = nd - 1; d >= 0; d--) { let sz = meta[3 + d]; let c = rem % sz; rem = rem / sz; ${add.join(' ')} }`;
}

/** (Log-)softmax along dim, on x − max. */
export function softmax(x: View, dim: number, log: boolean, out: View): void {
  const meta = lineMeta([x, out], dim);
  if (meta[0] === 0 || meta[2] === 0) return;
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
var<workgroup> sh: array<f32, ${WG}>;
${GROUP_ENTRY} {
  ${GROUP_INDEX}
  if (gi >= meta[0]) { return; }
  ${lineBases(2)}
  var m = bitcast<f32>(NINF_BITS);
  for (var k = t; k < L; k += ${WG}) { m = max(m, x[b0 + k * s0]); }
  sh[t] = m;
  ${tree('sh', (a, b) => `max(${a}, ${b})`)}
  var mx = sh[0];
  if (abs(mx) > 3.4e38) { mx = 0.0; }
  workgroupBarrier();
  var acc = 0.0;
  for (var k = t; k < L; k += ${WG}) { acc += exp(x[b0 + k * s0] - mx); }
  sh[t] = acc;
  ${tree('sh', (a, b) => `${a} + ${b}`)}
  let total = sh[0];
  for (var k = t; k < L; k += ${WG}) {
    let z = x[b0 + k * s0] - mx;
    out[b1 + k * s1] = ${log ? 'z - log(total)' : 'exp(z) / total'};
  }
}`;
  dispatch(`softmax:${log}`, code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(x).buffer], grid(meta[0]!));
}

/** Gradient of (log-)softmax from its output y. */
export function softmaxBackward(g: View, y: View, dim: number, log: boolean, out: View): void {
  const meta = lineMeta([g, y, out], dim);
  if (meta[0] === 0 || meta[2] === 0) return;
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
var<workgroup> sh: array<f32, ${WG}>;
${GROUP_ENTRY} {
  ${GROUP_INDEX}
  if (gi >= meta[0]) { return; }
  ${lineBases(3)}
  var acc = 0.0;
  for (var k = t; k < L; k += ${WG}) { acc += ${log ? 'g[b0 + k * s0]' : 'g[b0 + k * s0] * y[b1 + k * s1]'}; }
  sh[t] = acc;
  ${tree('sh', (a, b) => `${a} + ${b}`)}
  let total = sh[0];
  for (var k = t; k < L; k += ${WG}) {
    let gk = g[b0 + k * s0]; let yk = y[b1 + k * s1];
    out[b2 + k * s2] = ${log ? 'gk - exp(yk) * total' : 'yk * (gk - total)'};
  }
}`;
  dispatch(`softmaxBw:${log}`, code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(g).buffer, bufferOf(y).buffer], grid(meta[0]!));
}

/** BatchNorm statistics per channel of contiguous [N, C, S]: mean and biased variance (two passes). */
export function channelStats(x: View, mean: View, variance: View): void {
  const [N, C, S] = x.shape as [number, number, number];
  const meta = [C, N, S, x.offset, mean.offset, variance.offset];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> mean: array<f32>;
@group(0) @binding(2) var<storage, read_write> vr: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
var<workgroup> sh: array<f32, ${WG}>;
${GROUP_ENTRY} {
  ${GROUP_INDEX}
  if (gi >= meta[0]) { return; }
  let C = meta[0]; let N = meta[1]; let S = meta[2]; let tot = N * S;
  var acc = 0.0;
  for (var r = t; r < tot; r += ${WG}) { let n = r / S; acc += x[meta[3] + (n * C + gi) * S + r % S]; }
  sh[t] = acc;
  ${tree('sh', (a, b) => `${a} + ${b}`)}
  let m = sh[0] / f32(tot);
  workgroupBarrier();
  acc = 0.0;
  for (var r = t; r < tot; r += ${WG}) { let n = r / S; let dv = x[meta[3] + (n * C + gi) * S + r % S] - m; acc += dv * dv; }
  sh[t] = acc;
  ${tree('sh', (a, b) => `${a} + ${b}`)}
  if (t == 0) { mean[meta[4] + gi] = m; vr[meta[5] + gi] = sh[0] / f32(tot); }
}`;
  dispatch('channelStats', code, Int32Array.from(meta), [bufferOf(mean).buffer, bufferOf(variance).buffer, bufferOf(x).buffer], grid(C));
}

/** Per-channel Σgy and Σgy·(x − mean). */
export function channelGradSums(gy: View, x: View, mean: View, sumGy: View, sumGyXmu: View): void {
  const [N, C, S] = x.shape as [number, number, number];
  const meta = [C, N, S, gy.offset, x.offset, mean.offset, sumGy.offset, sumGyXmu.offset];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> sg: array<f32>;
@group(0) @binding(2) var<storage, read_write> sgx: array<f32>;
@group(0) @binding(3) var<storage, read> gy: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read> mean: array<f32>;
var<workgroup> sa: array<f32, ${WG}>;
var<workgroup> sb: array<f32, ${WG}>;
${GROUP_ENTRY} {
  ${GROUP_INDEX}
  if (gi >= meta[0]) { return; }
  let C = meta[0]; let N = meta[1]; let S = meta[2]; let tot = N * S;
  let m = mean[meta[5] + gi];
  var a = 0.0; var b = 0.0;
  for (var r = t; r < tot; r += ${WG}) {
    let i = (r / S * C + gi) * S + r % S;
    let g = gy[meta[3] + i];
    a += g; b += g * (x[meta[4] + i] - m);
  }
  sa[t] = a; sb[t] = b;
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s / 2) {
    if (t < s) { sa[t] = sa[t] + sa[t + s]; sb[t] = sb[t] + sb[t + s]; }
    workgroupBarrier();
  }
  if (t == 0) { sg[meta[6] + gi] = sa[0]; sgx[meta[7] + gi] = sb[0]; }
}`;
  dispatch('channelGradSums', code, Int32Array.from(meta), [bufferOf(sumGy).buffer, bufferOf(sumGyXmu).buffer, bufferOf(gy).buffer, bufferOf(x).buffer, bufferOf(mean).buffer], grid(C));
}
