import type { Conv2dParams, View } from '../backend.js';
import { WG, dispatch, grid } from './context.js';
import { ENTRY, LINEAR, PRELUDE } from './elementwise.js';
import { bufferOf } from './views.js';

// Geometry in metadata: [N, C, H, W, O, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw, G, then offsets].
function geometry(x: readonly number[], w: readonly number[], y: readonly number[], p: Conv2dParams): number[] {
  return [x[0]!, x[1]!, x[2]!, x[3]!, w[0]!, y[2]!, y[3]!, w[2]!, w[3]!, p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups];
}

const UNPACK = `let N = meta[0]; let C = meta[1]; let H = meta[2]; let W = meta[3]; let O = meta[4];
  let OH = meta[5]; let OW = meta[6]; let KH = meta[7]; let KW = meta[8];
  let sh = meta[9]; let sw = meta[10]; let ph = meta[11]; let pw = meta[12]; let dh = meta[13]; let dw = meta[14];
  let G = meta[15]; let cpg = C / G; let opg = O / G;`;

/** Direct convolution: one invocation per output element (bias added when given). */
export function conv2d(x: View, w: View, out: View, p: Conv2dParams, bias?: View | null): void {
  const n = out.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(x.shape, w.shape, out.shape, p), x.offset, w.offset, out.offset, bias ? bias.offset : 0, n];
  const withBias = !!bias;
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
${withBias ? '@group(0) @binding(4) var<storage, read> bias: array<f32>;' : ''}
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[20]) { return; }
  ${UNPACK}
  let ow = idx % OW; let oh = (idx / OW) % OH; let o = (idx / (OW * OH)) % O; let n = idx / (OW * OH * O);
  let g = o / opg;
  var acc = 0.0;
  for (var c = 0; c < cpg; c++) {
    let xc = meta[16] + ((n * C + g * cpg + c) * H) * W;
    let wc = meta[17] + ((o * cpg + c) * KH) * KW;
    for (var kh = 0; kh < KH; kh++) {
      let ih = oh * sh - ph + kh * dh;
      if (ih < 0 || ih >= H) { continue; }
      for (var kw = 0; kw < KW; kw++) {
        let iw = ow * sw - pw + kw * dw;
        if (iw < 0 || iw >= W) { continue; }
        acc += x[xc + ih * W + iw] * w[wc + kh * KW + kw];
      }
    }
  }
  ${withBias ? 'acc += bias[meta[19] + o];' : ''}
  out[meta[18] + idx] = acc;
}`;
  const bufs = [bufferOf(out).buffer, bufferOf(x).buffer, bufferOf(w).buffer];
  if (bias) bufs.push(bufferOf(bias).buffer);
  dispatch(`conv2d:${withBias}`, code, Int32Array.from(meta), bufs, grid(Math.ceil(n / WG)));
}

/** Input gradient: one invocation per input element, summing the outputs whose windows cover it. */
export function conv2dBackwardInput(gy: View, w: View, gx: View, p: Conv2dParams): void {
  const n = gx.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(gx.shape, w.shape, gy.shape, p), gy.offset, w.offset, gx.offset, 0, n];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> gx: array<f32>;
@group(0) @binding(2) var<storage, read> gy: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[20]) { return; }
  ${UNPACK}
  let iw = idx % W; let ih = (idx / W) % H; let c = (idx / (W * H)) % C; let n = idx / (W * H * C);
  let g = c / cpg; let cl = c - g * cpg;
  var acc = 0.0;
  for (var kh = 0; kh < KH; kh++) {
    let th = ih + ph - kh * dh;
    if (th < 0 || th % sh != 0) { continue; }
    let oh = th / sh;
    if (oh >= OH) { continue; }
    for (var kw = 0; kw < KW; kw++) {
      let tw = iw + pw - kw * dw;
      if (tw < 0 || tw % sw != 0) { continue; }
      let ow = tw / sw;
      if (ow >= OW) { continue; }
      for (var ol = 0; ol < opg; ol++) {
        let o = g * opg + ol;
        acc += gy[meta[16] + ((n * O + o) * OH + oh) * OW + ow] * w[meta[17] + ((o * cpg + cl) * KH + kh) * KW + kw];
      }
    }
  }
  gx[meta[18] + idx] = acc;
}`;
  dispatch('conv2dBwIn', code, Int32Array.from(meta), [bufferOf(gx).buffer, bufferOf(gy).buffer, bufferOf(w).buffer], grid(Math.ceil(n / WG)));
}

/** Weight gradient: one workgroup per weight, its invocations splitting the N·OH·OW sum. */
export function conv2dBackwardWeight(x: View, gy: View, gw: View, p: Conv2dParams): void {
  const n = gw.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const meta = [...geometry(x.shape, gw.shape, gy.shape, p), x.offset, gy.offset, gw.offset, 0, n];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> gw: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gy: array<f32>;
var<workgroup> sh_: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let idx = i32(wid.x + wid.y * nwg.x); let t = i32(lid.x);
  if (idx >= meta[20]) { return; }
  ${UNPACK}
  let kw = idx % KW; let kh = (idx / KW) % KH; let cl = (idx / (KW * KH)) % cpg; let o = idx / (KW * KH * cpg);
  let c = (o / opg) * cpg + cl;
  let tot = N * OH * OW;
  var acc = 0.0;
  for (var r = t; r < tot; r += ${WG}) {
    let ow = r % OW; let oh = (r / OW) % OH; let n = r / (OW * OH);
    let ih = oh * sh - ph + kh * dh; let iw = ow * sw - pw + kw * dw;
    if (ih < 0 || ih >= H || iw < 0 || iw >= W) { continue; }
    acc += x[meta[16] + ((n * C + c) * H + ih) * W + iw] * gy[meta[17] + ((n * O + o) * OH + oh) * OW + ow];
  }
  sh_[t] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s / 2) {
    if (t < s) { sh_[t] = sh_[t] + sh_[t + s]; }
    workgroupBarrier();
  }
  if (t == 0) { gw[meta[18] + idx] = sh_[0]; }
}`;
  dispatch('conv2dBwW', code, Int32Array.from(meta), [bufferOf(gw).buffer, bufferOf(x).buffer, bufferOf(gy).buffer], grid(n));
}
