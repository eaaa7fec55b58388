import { Tensor } from '../tensor/tensor.js';
import { randperm } from '../tensor/creation.js';
import { Generator } from '../core/rng.js';
import { indexSelect } from '../ops/indexing.js';
import { contiguous } from '../ops/shape.js';

/** Per-channel mean and standard deviation of float images [N, C, H, W] (population std, like torchvision recipes). */
export function channelStats(images: Tensor): { mean: number[]; std: number[] } {
  const [n, c, h, w] = images.shape as [number, number, number, number];
  const d = images.toTypedArray() as Float32Array;
  const plane = h * w;
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < c; k++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const o = (i * c + k) * plane;
      for (let j = 0; j < plane; j++) {
        const v = d[o + j]!;
        s += v;
        s2 += v * v;
      }
    }
    const cnt = n * plane;
    const m = s / cnt;
    mean.push(round6(m));
    std.push(round6(Math.sqrt(Math.max(s2 / cnt - m * m, 1e-12))));
  }
  return { mean, std };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The first `n` rows of a tensor along dim 0 (a copy), or the tensor itself when n is undefined or not smaller. */
export function firstRows(t: Tensor, n: number | undefined): Tensor {
  if (n === undefined || n >= t.shape[0]!) return t;
  const row = t.numel() / t.shape[0]!;
  const data = t.toTypedArray().slice(0, n * row);
  return Tensor.fromStorage(data, t.dtype, [n, ...t.shape.slice(1)]);
}

/** Zero-pads float images [N, C, H, W] to [N, C, outH, outW], centred (28×28 → 32×32 for the ConvNet). */
export function padImages(images: Tensor, outH: number, outW: number): Tensor {
  const [n, c, h, w] = images.shape as [number, number, number, number];
  if (h === outH && w === outW) return images;
  if (outH < h || outW < w) throw new RangeError(`padImages: cannot pad ${h}×${w} images to a smaller ${outH}×${outW}`);
  const top = Math.floor((outH - h) / 2);
  const left = Math.floor((outW - w) / 2);
  const src = images.toTypedArray() as Float32Array;
  const out = new Float32Array(n * c * outH * outW);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < h; y++) out.set(src.subarray((p * h + y) * w, (p * h + y + 1) * w), (p * outH + top + y) * outW + left);
  }
  return Tensor.fromStorage(out, 'float32', [n, c, outH, outW]);
}

/** (x - mean[c]) / std[c] over float images [N, C, H, W], as a new float32 tensor. */
export function normalizeImages(images: Tensor, mean: readonly number[], std: readonly number[]): Tensor {
  const [n, c, h, w] = images.shape as [number, number, number, number];
  const src = images.toTypedArray() as Float32Array;
  const out = new Float32Array(src.length);
  const plane = h * w;
  for (let p = 0; p < n * c; p++) {
    const k = mean.length === 1 ? 0 : p % c;
    const m = mean[k]!;
    const inv = 1 / std[k]!;
    for (let j = p * plane, e = j + plane; j < e; j++) out[j] = (src[j]! - m) * inv;
  }
  return Tensor.fromStorage(out, 'float32', [n, c, h, w]);
}

/**
 * Splits images/labels into a training part and a validation part of round(fraction·N) samples,
 * chosen by a permutation from `seed` (the same seed, the same split); fraction 0 gives no validation part.
 */
export function splitValidation(images: Tensor, labels: Tensor, fraction: number, seed: number): { train: [Tensor, Tensor]; val: [Tensor, Tensor] | null } {
  const n = images.shape[0]!;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`splitValidation: fraction must be in [0, 1), got ${fraction}`);
  const nVal = Math.round(fraction * n);
  if (fraction > 0 && (nVal < 1 || nVal >= n)) throw new RangeError(`splitValidation: a validation fraction of ${fraction} of ${n} training samples leaves ${nVal} for validation and ${n - nVal} for training; both need at least 1`);
  if (nVal === 0) return { train: [images, labels], val: null };
  const perm = Array.from(randperm(n, { generator: new Generator(seed) }).toTypedArray() as ArrayLike<number>, Number);
  // Sorted, so that each part keeps the data's order (a shuffling loader reorders it anyway).
  const pick = (idx: number[]): Tensor => Tensor.fromStorage(Int32Array.from(idx.sort((a, b) => a - b)), 'int32', [idx.length]);
  const vi = pick(perm.slice(0, nVal));
  const ti = pick(perm.slice(nVal));
  return { train: [contiguous(indexSelect(images, 0, ti)), contiguous(indexSelect(labels, 0, ti))], val: [contiguous(indexSelect(images, 0, vi)), contiguous(indexSelect(labels, 0, vi))] };
}
