import type { AdamStepParams, SgdStepParams, View } from '../backend.js';
import { WG, dispatch, grid } from './context.js';
import { ENTRY, LINEAR, PRELUDE } from './elementwise.js';
import { bufferOf, f32bits } from './views.js';

/** out = a[c]·x + d[c] (+ b[c]·y) over contiguous [N, C, S]. */
export function channelAffine(x: View, a: View, d: View, out: View, y?: View | null, b?: View | null): void {
  const [N, C, S] = x.shape as [number, number, number];
  const n = N * C * S;
  if (n === 0) return;
  const two = !!(y && b);
  const meta = [n, C, S, x.offset, a.offset, d.offset, out.offset, two ? y!.offset : 0, two ? b!.offset : 0];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> dd: array<f32>;
${two ? '@group(0) @binding(5) var<storage, read> y: array<f32>;\n@group(0) @binding(6) var<storage, read> b: array<f32>;' : ''}
${ENTRY} {
  ${LINEAR}
  let idx = i32(i);
  if (idx >= meta[0]) { return; }
  let c = (idx / meta[2]) % meta[1];
  var v = a[meta[4] + c] * x[meta[3] + idx] + dd[meta[5] + c];
  ${two ? 'v += b[meta[8] + c] * y[meta[7] + idx];' : ''}
  out[meta[6] + idx] = v;
}`;
  const bufs = [bufferOf(out).buffer, bufferOf(x).buffer, bufferOf(a).buffer, bufferOf(d).buffer];
  if (two) bufs.push(bufferOf(y!).buffer, bufferOf(b!).buffer);
  dispatch(`channelAffine:${two}`, code, Int32Array.from(meta), bufs, grid(Math.ceil(n / WG)));
}

/** One Adam/AdamW step in place (float32, contiguous). */
export function adamStep(param: View, grad: View, m: View, v: View, vmax: View | null, p: AdamStepParams): boolean {
  if (param.dtype !== 'float32') return false;
  const n = param.shape.reduce((x, y) => x * y, 1);
  if (n === 0) return true;
  const ams = !!vmax;
  const meta = [n, param.offset, grad.offset, m.offset, v.offset, vmax ? vmax.offset : 0,
    f32bits(p.beta1), f32bits(p.beta2), f32bits(p.eps), f32bits(p.decoupled ? 1 - p.lr * p.weightDecay : 1),
    f32bits(p.decoupled ? 0 : p.weightDecay), f32bits(p.maximize ? -1 : 1), f32bits(p.stepSize), f32bits(p.bc2Sqrt)];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
@group(0) @binding(4) var<storage, read> G: array<f32>;
${ams ? '@group(0) @binding(5) var<storage, read_write> VM: array<f32>;' : ''}
${ENTRY} {
  ${LINEAR}
  let k = i32(i);
  if (k >= meta[0]) { return; }
  let b1 = pf(6); let b2 = pf(7);
  let pi = P[meta[1] + k] * pf(9);
  let gi = pf(11) * G[meta[2] + k] + pf(10) * pi;
  let mk = b1 * M[meta[3] + k] + (1.0 - b1) * gi;
  let vk = b2 * V[meta[4] + k] + (1.0 - b2) * gi * gi;
  M[meta[3] + k] = mk; V[meta[4] + k] = vk;
  var vh = vk;
  ${ams ? 'vh = max(VM[meta[5] + k], vk); VM[meta[5] + k] = vh;' : ''}
  P[meta[1] + k] = pi - pf(12) * mk / (sqrt(vh) / pf(13) + pf(8));
}`;
  const bufs = [bufferOf(param).buffer, bufferOf(m).buffer, bufferOf(v).buffer, bufferOf(grad).buffer];
  if (vmax) bufs.push(bufferOf(vmax).buffer);
  dispatch(`adam:${ams}`, code, Int32Array.from(meta), bufs, grid(Math.ceil(n / WG)));
  return true;
}

/** One SGD step in place (float32, contiguous). */
export function sgdStep(param: View, grad: View, buf: View | null, p: SgdStepParams): boolean {
  if (param.dtype !== 'float32') return false;
  const n = param.shape.reduce((x, y) => x * y, 1);
  if (n === 0) return true;
  const mom = !!buf;
  const meta = [n, param.offset, grad.offset, buf ? buf.offset : 0, p.firstStep ? 1 : 0, p.nesterov ? 1 : 0,
    f32bits(p.lr), f32bits(p.momentum), f32bits(p.dampening), f32bits(p.weightDecay), f32bits(p.maximize ? -1 : 1)];
  const code = (): string => `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read> G: array<f32>;
${mom ? '@group(0) @binding(3) var<storage, read_write> B: array<f32>;' : ''}
${ENTRY} {
  ${LINEAR}
  let k = i32(i);
  if (k >= meta[0]) { return; }
  let th = P[meta[1] + k];
  var d = pf(10) * G[meta[2] + k] + pf(9) * th;
  ${mom ? `var b = d;
  if (meta[4] == 0) { b = pf(7) * B[meta[3] + k] + (1.0 - pf(8)) * d; }
  B[meta[3] + k] = b;
  if (meta[5] == 1) { d = d + pf(7) * b; } else { d = b; }` : ''}
  P[meta[1] + k] = th - pf(6) * d;
}`;
  const bufs = [bufferOf(param).buffer, bufferOf(grad).buffer];
  if (buf) bufs.push(bufferOf(buf).buffer);
  dispatch(`sgd:${mom}`, code, Int32Array.from(meta), bufs, grid(Math.ceil(n / WG)));
  return true;
}
