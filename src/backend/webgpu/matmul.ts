import type { View } from '../backend.js';
import { dispatch } from './context.js';
import { PRELUDE } from './elementwise.js';
import { bufferOf } from './views.js';

// A workgroup of 16x16 invocations computes a 64x64 tile of the product, each invocation a 4x4
// block (rows ty*4.., columns tx + 16j so neighbouring invocations write neighbouring words);
// A and B pass through workgroup memory in 64x16 and 16x64 slabs.
const T = 64, KT = 16;

const CODE = `${PRELUDE}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> A: array<f32>;
@group(0) @binding(3) var<storage, read> B: array<f32>;
var<workgroup> As: array<f32, ${T * KT}>;
var<workgroup> Bs: array<f32, ${KT * T}>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = meta[1]; let K = meta[2]; let N = meta[3];
  let batch = i32(wid.z);
  let row0 = i32(wid.y) * ${T}; let col0 = i32(wid.x) * ${T};
  let tx = i32(lid.x); let ty = i32(lid.y); let tid = ty * 16 + tx;
  let aBase = meta[4] + batch * meta[5]; let aR = meta[6]; let aK = meta[7];
  let bBase = meta[8] + batch * meta[9]; let bK = meta[10]; let bC = meta[11];
  var acc: array<f32, 16>;
  for (var i = 0; i < 16; i++) { acc[i] = 0.0; }
  for (var k0 = 0; k0 < K; k0 += ${KT}) {
    for (var q = 0; q < 4; q++) {
      let e = tid + q * 256;
      let r = e / ${KT}; let c = e % ${KT};
      let gr = row0 + r; let gk = k0 + c;
      var v = 0.0;
      if (gr < M && gk < K) { v = A[aBase + gr * aR + gk * aK]; }
      As[r * ${KT} + c] = v;
      let r2 = e / ${T}; let c2 = e % ${T};
      let gk2 = k0 + r2; let gc = col0 + c2;
      var w = 0.0;
      if (gk2 < K && gc < N) { w = B[bBase + gk2 * bK + gc * bC]; }
      Bs[r2 * ${T} + c2] = w;
    }
    workgroupBarrier();
    for (var k = 0; k < ${KT}; k++) {
      let a0 = As[(ty * 4) * ${KT} + k]; let a1 = As[(ty * 4 + 1) * ${KT} + k];
      let a2 = As[(ty * 4 + 2) * ${KT} + k]; let a3 = As[(ty * 4 + 3) * ${KT} + k];
      for (var j = 0; j < 4; j++) {
        let bv = Bs[k * ${T} + tx + 16 * j];
        acc[j] += a0 * bv; acc[4 + j] += a1 * bv; acc[8 + j] += a2 * bv; acc[12 + j] += a3 * bv;
      }
    }
    workgroupBarrier();
  }
  let oBase = meta[12] + batch * M * N;
  for (var i = 0; i < 4; i++) {
    let r = row0 + ty * 4 + i;
    if (r >= M) { continue; }
    for (var j = 0; j < 4; j++) {
      let c = col0 + tx + 16 * j;
      if (c < N) { out[oBase + r * N + c] = acc[i * 4 + j]; }
    }
  }
}`;

/** Batched a [B,M,K] @ b [B,K,N] into contiguous out [B,M,N] (float32). */
export function matmul(a: View, b: View, out: View): void {
  const [Bt, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  if (Bt * M * N === 0) return;
  const meta = Int32Array.from([Bt, M, K, N, a.offset, a.strides[0]!, a.strides[1]!, a.strides[2]!, b.offset, b.strides[0]!, b.strides[1]!, b.strides[2]!, out.offset]);
  // K = 0 leaves the accumulators at zero: the loop does not run and zeros are written.
  dispatch('matmul', () => CODE, meta, [bufferOf(out).buffer, bufferOf(a).buffer, bufferOf(b).buffer], [Math.ceil(N / T), Math.ceil(M / T), Bt]);
}
