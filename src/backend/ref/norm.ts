import type { View } from '../backend.js';

/** Calls f(base, c) for the start of each [n, c] row of S elements of a contiguous [N, C, S] view. */
function rows(v: View, f: (base: number, c: number) => void): void {
  const [N, C, S] = v.shape as [number, number, number];
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) f(v.offset + (n * C + c) * S, c);
}

/** Per-channel mean and biased variance of a contiguous [N, C, S] view. */
export function channelStats(x: View, mean: View, variance: View): void {
  const [N, C, S] = x.shape as [number, number, number];
  const xd = x.data;
  const sum = new Float64Array(C);
  rows(x, (base, c) => {
    for (let s = 0; s < S; s++) sum[c] += xd[base + s]!;
  });
  const mu = sum.map((v) => v / (N * S));
  const sq = new Float64Array(C);
  rows(x, (base, c) => {
    for (let s = 0; s < S; s++) {
      const d = xd[base + s]! - mu[c]!;
      sq[c] += d * d;
    }
  });
  for (let c = 0; c < C; c++) {
    mean.data[mean.offset + c] = mu[c]!;
    variance.data[variance.offset + c] = sq[c]! / (N * S);
  }
}

/** Per-channel Σ gy and Σ gy·(x − mean) over contiguous [N, C, S] views. */
export function channelGradSums(gy: View, x: View, mean: View, sumGy: View, sumGyXmu: View): void {
  const [, C, S] = x.shape as [number, number, number];
  const gd = gy.data, xd = x.data, go = gy.offset - x.offset;
  const sg = new Float64Array(C), sgx = new Float64Array(C);
  rows(x, (base, c) => {
    const m = mean.data[mean.offset + c]!;
    for (let s = 0; s < S; s++) {
      const g = gd[base + go + s]!;
      sg[c] += g;
      sgx[c] += g * (xd[base + s]! - m);
    }
  });
  for (let c = 0; c < C; c++) {
    sumGy.data[sumGy.offset + c] = sg[c]!;
    sumGyXmu.data[sumGyXmu.offset + c] = sgx[c]!;
  }
}

/** out = a[c]·x + d[c] (+ b[c]·y) over contiguous [N, C, S] views. */
export function channelAffine(x: View, a: View, d: View, out: View, y?: View | null, b?: View | null): void {
  const S = x.shape[2]!;
  const xd = x.data, od = out.data, oo = out.offset - x.offset;
  const yd = y && b ? y.data : null, yo = y ? y.offset - x.offset : 0;
  rows(x, (base, c) => {
    const ac = a.data[a.offset + c]!, dc = d.data[d.offset + c]!;
    if (yd) {
      const bc = b!.data[b!.offset + c]!;
      for (let s = 0; s < S; s++) od[base + oo + s] = ac * xd[base + s]! + bc * yd[base + yo + s]! + dc;
    } else {
      for (let s = 0; s < S; s++) od[base + oo + s] = ac * xd[base + s]! + dc;
    }
  });
}
