import { readdirSync } from 'node:fs';
import { Tensor } from '../tensor/tensor.js';
import { DataError } from './errors.js';
import { isDir, readMaybeGzip } from './files.js';
import type { ImageData, Split } from './mnist.js';

/** Bytes of one CIFAR-10 binary record: 1 label byte, then 1024 R, 1024 G, 1024 B bytes. */
export const CIFAR_RECORD = 1 + 3 * 32 * 32;

/** The official CIFAR-10 class names, in label order. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** The binary batch files of a split, in order. */
export function cifarFiles(split: Split): string[] {
  return split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
}

/** The directory holding the batch files: `dir/cifar-10-batches-bin` if it exists, else `dir`. */
export function cifarBatchDir(dir: string): string {
  return isDir(`${dir}/cifar-10-batches-bin`) ? `${dir}/cifar-10-batches-bin` : dir;
}

/** Names of the batch files of `split` that `dir` (or its cifar-10-batches-bin/) lacks. */
export function missingCifarFiles(dir: string, split: Split): string[] {
  if (!isDir(dir)) return cifarFiles(split);
  const d = cifarBatchDir(dir);
  const have = new Set(readdirSync(d));
  return cifarFiles(split).filter((f) => !have.has(f));
}

/**
 * Reads CIFAR-10's official binary version from `dir/cifar-10-batches-bin/` or `dir` itself
 * (data_batch_1..5.bin for train, test_batch.bin for test): images float32 [N,3,32,32] in [0,1],
 * labels int32 [N].
 */
export function readCifar10(dir: string, split: Split): ImageData {
  if (split !== 'train' && split !== 'test') throw new DataError(`readCifar10: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  if (!isDir(dir)) throw new DataError(`readCifar10: data directory ${dir} does not exist (expected cifar-10-batches-bin/${cifarFiles(split).join(', ')})`);
  const missing = missingCifarFiles(dir, split);
  const d = cifarBatchDir(dir);
  if (missing.length) throw new DataError(`readCifar10: ${d} lacks ${missing.join(', ')}`);
  const parts = cifarFiles(split).map((f) => {
    const path = `${d}/${f}`;
    const bytes = readMaybeGzip(path);
    if (bytes.length === 0 || bytes.length % CIFAR_RECORD !== 0) {
      throw new DataError(`${path}: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD}-byte records (1 label + 3072 pixels); the file is truncated or not a CIFAR-10 binary batch`);
    }
    for (let r = 0; r < bytes.length; r += CIFAR_RECORD) {
      if (bytes[r]! > 9) throw new DataError(`${path}: record ${r / CIFAR_RECORD} has label ${bytes[r]}, expected 0-9; not a CIFAR-10 binary batch`);
    }
    return bytes;
  });
  const n = parts.reduce((a, p) => a + p.length / CIFAR_RECORD, 0);
  const px = CIFAR_RECORD - 1;
  const images = new Float32Array(n * px);
  const labels = new Int32Array(n);
  let k = 0;
  for (const bytes of parts) {
    for (let r = 0; r < bytes.length; r += CIFAR_RECORD, k++) {
      labels[k] = bytes[r]!;
      const o = k * px;
      for (let j = 0; j < px; j++) images[o + j] = bytes[r + 1 + j]! / 255;
    }
  }
  return {
    images: Tensor.fromStorage(images, 'float32', [n, 3, 32, 32]),
    labels: Tensor.fromStorage(labels, 'int32', [n]),
  };
}
