import type { Pool2dParams, View } from '../backend.js';
import { WG, dispatch, grid } from './context.js';
import { ENTRY, LINEAR, PRELUDE } from './elementwise.js';
import { bufferOf } from './views.js';

// Metadata: [planes, H, W, OH, OW, KH, KW, sh, sw, ph, pw, countIncludePad, n, offsets...].
function geometry(x: readonly number[], y: readonly number[], p: Pool2dParams, n: number): number[] {
  return [x[0]! * x[1]!, x[2]!, x[3]!, y[2]!, y[3]!, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.countIncludePad ? 1 : 0, n];
}

const UNPACK = `let H = meta[1]; let W = meta[2]; let OH = meta[3]; let OW = meta[4]; let KH = meta[5]; let KW = meta[6];
  let sh = meta[7]; let sw = meta[8]; let ph = meta[9]; let pw = meta[10]; let incl = meta[11];`;

// The clipped window of output (oh, ow) and its divisor, as in the reference backend.
const WINDOW = `fn divisor(oh: i32, ow: i32) -> f32 {
  let H = meta[1]; let W = meta[2]; let KH = meta[5]; let KW = meta[6];
  let h0 = oh * meta[7] - meta[9]; let w0 = ow * meta[8] - meta[10];
  if (meta[11] == 1) { return f32((min(h0 + KH, H + meta[9]) - h0) * (min(w0 + KW, W + meta[10]) - w0)); }
  return f32((min(h0 + KH, H) - max(h0, 0)) * (min(w0 + KW, W) - max(w0, 0)));
}`;

/** Max pooling with the argmax (h*W+w in the plane) of each window. */
export function maxPool2d(x: View, out: View, argmax: View, p: Pool2dParams): void {
  const n = out.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(x.shape, out.shape, p, n), x.offset, out.offset, argmax.offset];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> am: array<i32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[12]) { return; }
  ${UNPACK}
  let ow = idx % OW; let oh = (idx / OW) % OH; let plane = idx / (OW * OH);
  let h0 = oh * sh - ph; let w0 = ow * sw - pw;
  let hs = max(h0, 0); let he = min(h0 + KH, H); let ws = max(w0, 0); let we = min(w0 + KW, W);
  var best = bitcast<f32>(NINF_BITS); var bi = hs * W + ws;
  let base = meta[13] + plane * H * W;
  for (var h = hs; h < he; h++) {
    for (var w = ws; w < we; w++) {
      let v = x[base + h * W + w];
      if (v > best) { best = v; bi = h * W + w; }
    }
  }
  out[meta[14] + idx] = best;
  am[meta[15] + idx] = bi;
}`;
  dispatch('maxPool', code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(argmax).buffer, bufferOf(x).buffer], grid(Math.ceil(n / WG)));
}

/** Routes each output gradient to its argmax: one invocation per input element. */
export function maxPool2dBackward(gy: View, argmax: View, gx: View, p: Pool2dParams): void {
  const n = gx.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(gx.shape, gy.shape, p, n), gy.offset, argmax.offset, gx.offset];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> gx: array<f32>;
@group(0) @binding(2) var<storage, read> gy: array<f32>;
@group(0) @binding(3) var<storage, read> am: array<i32>;
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[12]) { return; }
  ${UNPACK}
  let w = idx % W; let h = (idx / W) % H; let plane = idx / (W * H);
  let me = h * W + w;
  let oh0 = max(0, (h + ph - KH + sh) / sh); let oh1 = min(OH - 1, (h + ph) / sh);
  let ow0 = max(0, (w + pw - KW + sw) / sw); let ow1 = min(OW - 1, (w + pw) / sw);
  var acc = 0.0;
  for (var oh = oh0; oh <= oh1; oh++) {
    for (var ow = ow0; ow <= ow1; ow++) {
      let yi = (plane * OH + oh) * OW + ow;
      if (am[meta[14] + yi] == me) { acc += gy[meta[13] + yi]; }
    }
  }
  gx[meta[15] + idx] = acc;
}`;
  dispatch('maxPoolBw', code, Int32Array.from(meta), [bufferOf(gx).buffer, bufferOf(gy).buffer, bufferOf(argmax).buffer], grid(Math.ceil(n / WG)));
}

/** Average pooling. */
export function avgPool2d(x: View, out: View, p: Pool2dParams): void {
  const n = out.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(x.shape, out.shape, p, n), x.offset, out.offset];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
${WINDOW}
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[12]) { return; }
  ${UNPACK}
  let ow = idx % OW; let oh = (idx / OW) % OH; let plane = idx / (OW * OH);
  let h0 = oh * sh - ph; let w0 = ow * sw - pw;
  let base = meta[13] + plane * H * W;
  var s = 0.0;
  for (var h = max(h0, 0); h < min(h0 + KH, H); h++) {
    for (var w = max(w0, 0); w < min(w0 + KW, W); w++) { s += x[base + h * W + w]; }
  }
  out[meta[14] + idx] = s / divisor(oh, ow);
}`;
  dispatch('avgPool', code, Int32Array.from(meta), [bufferOf(out).buffer, bufferOf(x).buffer], grid(Math.ceil(n / WG)));
}

/** Spreads each output gradient over its window: one invocation per input element. */
export function avgPool2dBackward(gy: View, gx: View, p: Pool2dParams): void {
  const n = gx.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(gx.shape, gy.shape, p, n), gy.offset, gx.offset];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> gx: array<f32>;
@group(0) @binding(2) var<storage, read> gy: array<f32>;
${WINDOW}
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[12]) { return; }
  ${UNPACK}
  let w = idx % W; let h = (idx / W) % H; let plane = idx / (W * H);
  let oh0 = max(0, (h + ph - KH + sh) / sh); let oh1 = min(OH - 1, (h + ph) / sh);
  let ow0 = max(0, (w + pw - KW + sw) / sw); let ow1 = min(OW - 1, (w + pw) / sw);
  var acc = 0.0;
  for (var oh = oh0; oh <= oh1; oh++) {
    for (var ow = ow0; ow <= ow1; ow++) {
      acc += gy[meta[13] + (plane * OH + oh) * OW + ow] / divisor(oh, ow);
    }
  }
  gx[meta[14] + idx] = acc;
}`;
  dispatch('avgPoolBw', code, Int32Array.from(meta), [bufferOf(gx).buffer, bufferOf(gy).buffer], grid(Math.ceil(n / WG)));
}
