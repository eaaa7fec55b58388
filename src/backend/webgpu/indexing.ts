import type { View } from '../backend.js';
import { DeviceError } from '../device.js';
import { WG, dispatch, grid } from './context.js';
import { ENTRY, LINEAR, PRELUDE, wtype } from './elementwise.js';
import { bufferOf } from './views.js';

// Metadata: [n, nd, dim, shape (of the iterated view), then per view (offset, strides)].
function indexMeta(iter: View, dim: number, views: readonly View[]): number[] {
  const n = iter.shape.reduce((a, b) => a * b, 1);
  const meta = [n, iter.shape.length, dim, ...iter.shape];
  for (const v of views) meta.push(v.offset, ...v.strides);
  return meta;
}

// Decodes element i of the iterated shape into offsets o0, o1, o2 of three views, where view 2's
// offset skips `dim` (its coordinate there comes from the index).
const DECODE = `let nd = meta[1]; let dim = meta[2];
  var rem = i32(i);
  var o0 = meta[3 + nd]; var o1 = meta[4 + 2 * nd]; var o2 = meta[5 + 3 * nd];
  for (var d = nd - 1; d >= 0; d--) {
    let s = meta[3 + d]; let c = rem % s; rem = rem / s;
    o0 += c * meta[4 + nd + d]; o1 += c * meta[5 + 2 * nd + d];
    if (d != dim) { o2 += c * meta[6 + 3 * nd + d]; }
  }
  let s2 = meta[6 + 3 * nd + dim];`;

/** out[..i..] = x[..index[..i..]..] along dim. */
export function gather(x: View, dim: number, index: View, out: View): void {
  const meta = indexMeta(out, dim, [out, index, x]);
  if (meta[0] === 0) return;
  const t = wtype(out.dtype, 'gather');
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> x: array<${t}>;
${ENTRY} {
  ${LINEAR}
  if (i >= u32(meta[0])) { return; }
  ${DECODE}
  out[o0] = x[o2 + idx[o1] * s2];
}`;
  dispatch(`gather:${t}`, code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(index).buffer, bufferOf(x).buffer], grid(Math.ceil(meta[0]! / WG)));
}

/** out[..index[..i..]..] += src[..i..] along dim; float adds by compare-and-swap on the bits. */
export function scatterAdd(out: View, dim: number, index: View, src: View): void {
  const meta = indexMeta(src, dim, [src, index, out]);
  if (meta[0] === 0) return;
  const t = wtype(out.dtype, 'scatterAdd');
  if (t === 'u32') throw new DeviceError('scatterAdd: bool output is not supported on webgpu');
  const add = t === 'i32'
    ? 'atomicAdd(&out[at], src[o0]);'
    : `let v = src[o0];
  var old = atomicLoad(&out[at]);
  loop {
    let r = atomicCompareExchangeWeak(&out[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }`;
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<atomic<${t === 'i32' ? 'i32' : 'u32'}>>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read> src: array<${t}>;
${ENTRY} {
  ${LINEAR}
  if (i >= u32(meta[0])) { return; }
  ${DECODE}
  let at = o2 + idx[o1] * s2;
  ${add}
}`;
  dispatch(`scatterAdd:${t}`, code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(index).buffer, bufferOf(src).buffer], grid(Math.ceil(meta[0]! / WG)));
}
