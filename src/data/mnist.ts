import { Tensor } from '../tensor/tensor.js';
import { DataError } from './errors.js';
import { findFile, isDir, readMaybeGzip } from './files.js';
import { parseIdx } from './idx.js';

/** A split of MNIST-format data. */
export type Split = 'train' | 'test';

/** Images (float32 [N,C,H,W] in [0,1]) and labels (int32 [N]). */
export interface ImageData {
  images: Tensor;
  labels: Tensor;
}

const PREFIX: Record<Split, string> = { train: 'train', test: 't10k' };

/** The file names accepted for one IDX file, in the order they are looked for. */
export function mnistFileNames(split: Split, kind: 'images' | 'labels'): string[] {
  const base = `${PREFIX[split]}-${kind}`;
  const idx = kind === 'images' ? 'idx3-ubyte' : 'idx1-ubyte';
  // The official names, gzipped or not; some unpackers turn the second '-' into '.'.
  return [`${base}-${idx}.gz`, `${base}-${idx}`, `${base}.${idx}.gz`, `${base}.${idx}`];
}

/** Official (gzipped) file names of a split: images then labels. */
export function mnistFiles(split: Split): [string, string] {
  return [mnistFileNames(split, 'images')[0]!, mnistFileNames(split, 'labels')[0]!];
}

/** Names of the files of `split` that `dir` lacks (by their official gzipped names). */
export function missingMnistFiles(dir: string, split: Split): string[] {
  if (!isDir(dir)) return mnistFiles(split);
  return (['images', 'labels'] as const).filter((k) => findFile(dir, mnistFileNames(split, k)) === null).map((k) => mnistFileNames(split, k)[0]!);
}

function checkSplit(op: string, split: string): asserts split is Split {
  if (split !== 'train' && split !== 'test') throw new DataError(`${op}: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
}

/**
 * Reads MNIST or Fashion-MNIST from the official IDX files in `dir` (gzipped or not, detected by the
 * gzip magic bytes): images float32 [N,1,28,28] scaled to [0,1], labels int32 [N].
 */
export function readMnist(dir: string, split: Split): ImageData {
  checkSplit('readMnist', split);
  if (!isDir(dir)) throw new DataError(`readMnist: data directory ${dir} does not exist (expected ${mnistFiles(split).join(' and ')} in it)`);
  const imgPath = findFile(dir, mnistFileNames(split, 'images'));
  const lblPath = findFile(dir, mnistFileNames(split, 'labels'));
  const missing = [imgPath ? null : mnistFiles(split)[0], lblPath ? null : mnistFiles(split)[1]].filter((x) => x !== null);
  if (missing.length) throw new DataError(`readMnist: ${dir} lacks ${missing.join(' and ')} (gzipped or not)`);
  const img = parseIdx(readMaybeGzip(imgPath!), imgPath!, 3);
  const lbl = parseIdx(readMaybeGzip(lblPath!), lblPath!, 1);
  const [n, rows, cols] = img.dims as [number, number, number];
  // MNIST and Fashion-MNIST are 28×28 with labels 0..9; anything else is the wrong file, said here.
  if (rows !== 28 || cols !== 28) throw new DataError(`readMnist: ${imgPath} holds ${rows}×${cols} images; MNIST and Fashion-MNIST images are 28×28`);
  const badLabel = lbl.data.findIndex((v) => v > 9);
  if (badLabel >= 0) throw new DataError(`readMnist: ${lblPath} has label ${lbl.data[badLabel]} at index ${badLabel}; expected labels 0 to 9`);
  if (lbl.dims[0] !== n) throw new DataError(`readMnist: ${imgPath} holds ${n} images but ${lblPath} holds ${lbl.dims[0]} labels; expected equal counts`);
  const images = new Float32Array(img.data.length);
  const src = img.data;
  for (let i = 0; i < src.length; i++) images[i] = src[i]! / 255;
  const labels = new Int32Array(n);
  labels.set(lbl.data);
  return {
    images: Tensor.fromStorage(images, 'float32', [n, 1, rows, cols]),
    labels: Tensor.fromStorage(labels, 'int32', [n]),
  };
}
