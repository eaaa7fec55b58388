import { TsgradError } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { contiguous, narrow } from '../ops/shape.js';
import { zeros } from '../tensor/creation.js';
import { loadDataset } from '../data/datasets.js';
import type { ExperimentConfig } from './config.js';

/** A split ready for training: images [N, C, H, W] float32 and labels [N] int32. */
export interface SplitData {
  images: Tensor;
  labels: Tensor;
  source: string;
  /** Class names in label order. */
  classes: string[];
}

/** Zero-pads images [N, C, H, W] to [N, C, size, size], centred (28×28 → 32×32 adds 2 on each side). */
export function padTo(images: Tensor, size: number): Tensor {
  const [n, c, h, w] = images.shape as [number, number, number, number];
  if (h === size && w === size) return images;
  if (h > size || w > size || (size - h) % 2 !== 0 || (size - w) % 2 !== 0) throw new TsgradError(`padTo: cannot centre ${h}×${w} images in ${size}×${size}`);
  const src = contiguous(images).toTypedArray();
  const out = zeros([n, c, size, size], { dtype: images.dtype });
  const dst = out.data; // fresh and contiguous: write in place
  const top = (size - h) / 2;
  const left = (size - w) / 2;
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < h; y++) {
      const s = p * h * w + y * w;
      const d = p * size * size + (y + top) * size + left;
      for (let x = 0; x < w; x++) dst[d + x] = src[s + x]!;
    }
  }
  return out;
}

function firstN(t: Tensor, n: number | null): Tensor {
  if (n === null || n >= t.shape[0]!) return t;
  return contiguous(narrow(t, 0, 0, n));
}

/** Loads the config's dataset split, keeps the first subset-train/subset-test samples, and pads to 32×32 when asked (always for convnet). */
export async function loadSplit(cfg: ExperimentConfig, split: 'train' | 'test', onNotice?: (m: string) => void): Promise<SplitData> {
  const d = await loadDataset(cfg.dataset, split, { dataDir: cfg.dataDir ?? undefined, onNotice });
  let images = firstN(d.images, split === 'train' ? cfg.subsetTrain : cfg.subsetTest);
  const labels = firstN(d.labels, split === 'train' ? cfg.subsetTrain : cfg.subsetTest);
  if (cfg.pad32 || cfg.model === 'convnet') images = padTo(images, 32);
  return { images, labels, source: d.source, classes: d.classes };
}
