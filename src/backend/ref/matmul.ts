import type { View } from '../backend.js';

/** out[b] = a[b] @ b[b] for [B,M,K] @ [B,K,N], the textbook triple loop (i, k, j order for locality). */
export function matmul(a: View, b: View, out: View): void {
  const [B, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const [asb, asm, ask] = a.strides as [number, number, number];
  const [bsb, bsk, bsn] = b.strides as [number, number, number];
  const [osb, osm, osn] = out.strides as [number, number, number];
  const ad = a.data;
  const bd = b.data;
  const od = out.data;
  const row = new Float64Array(N);
  for (let bb = 0; bb < B; bb++) {
    for (let i = 0; i < M; i++) {
      row.fill(0);
      const aRow = a.offset + bb * asb + i * asm;
      for (let k = 0; k < K; k++) {
        const av = ad[aRow + k * ask]!;
        if (av === 0) continue;
        const bRow = b.offset + bb * bsb + k * bsk;
        for (let j = 0; j < N; j++) row[j]! += av * bd[bRow + j * bsn]!;
      }
      const oRow = out.offset + bb * osb + i * osm;
      for (let j = 0; j < N; j++) od[oRow + j * osn] = row[j]!;
    }
  }
}
