import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Tensor } from '../tensor/tensor.js';
import { CIFAR10_CLASSES, cifarFiles, missingCifarFiles, readCifar10 } from './cifar.js';
import { downloadFile } from './download.js';
import { DataError } from './errors.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { isDir } from './files.js';
import { missingMnistFiles, mnistFiles, readMnist, type Split } from './mnist.js';
import { readTar } from './tar.js';

/** Names of the datasets loadDataset knows. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

/** Options of loadDataset. */
export interface LoadOptions {
  /** Root data directory (holding mnist/, fashion-mnist/, cifar-10-batches-bin/); default $TSGRAD_DATA, else the user cache. */
  dataDir?: string;
  /** Fetch the official files when they are missing (default false; $TSGRAD_OFFLINE=1 turns it off). */
  download?: boolean;
  /** Receives one-line notices (the embedded fallback, downloads); default: written to stderr. */
  onNotice?: (msg: string) => void;
}

/** A loaded split: images float32 [N,C,H,W] in [0,1], labels int32 [N], class names, and where it came from. */
export interface LoadedDataset {
  images: Tensor;
  labels: Tensor;
  classes: string[];
  source: string;
}

/** Class names of each dataset, in label order. */
export const CLASSES: Record<DatasetName, string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  cifar10: CIFAR10_CLASSES,
};

/**
 * Per-channel mean and std of each training set's pixels in [0,1], for normalize(). MNIST and
 * Fashion-MNIST were computed from the official files (tests/fixtures/data/idx-stats.json);
 * CIFAR-10's are the widely published values over all training pixels.
 */
export const NORMALIZATION: Record<DatasetName, { mean: number[]; std: number[] }> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.2860], std: [0.3530] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616] },
};

/** Subfolder of the data root that holds each dataset. */
export const SUBDIR: Record<DatasetName, string> = { mnist: 'mnist', 'fashion-mnist': 'fashion-mnist', cifar10: 'cifar-10-batches-bin' };

/** md5 of each official file (from the distributors; also in ../shared/datasets/README.md). */
export const MD5: Record<string, string> = {
  'mnist/train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
  'mnist/train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
  'mnist/t10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
  'mnist/t10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
  'fashion-mnist/train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  'fashion-mnist/train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
  'fashion-mnist/t10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
  'fashion-mnist/t10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
  'cifar10/cifar-10-binary.tar.gz': 'c32a1d4ab5d03f1284b67883e8d87530',
};

/** Default download locations (base URLs); each overridable by a comma-separated list in the env variable. */
export const MIRRORS: Record<DatasetName, { env: string; urls: string[] }> = {
  mnist: { env: 'TSGRAD_MNIST_MIRROR', urls: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'] },
  'fashion-mnist': { env: 'TSGRAD_FASHION_MNIST_MIRROR', urls: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'] },
  cifar10: { env: 'TSGRAD_CIFAR10_MIRROR', urls: ['https://www.cs.toronto.edu/~kriz/'] },
};

/** The CIFAR-10 binary archive's file name. */
export const CIFAR_ARCHIVE = 'cifar-10-binary.tar.gz';

/** The root data directory: $TSGRAD_DATA, else $XDG_CACHE_HOME/tsgrad, else ~/.cache/tsgrad. */
export function defaultDataDir(): string {
  const env = process.env['TSGRAD_DATA'];
  if (env) return env;
  const cache = process.env['XDG_CACHE_HOME'] || `${homedir()}/.cache`;
  return `${cache}/tsgrad`;
}

/** Folder of the embedded Fashion-MNIST subset shipped in the package (assets/fashion-mnist-subset). */
export function embeddedSubsetDir(): string {
  // Compiled: <pkg>/dist*/src/data/datasets.js; from source: <pkg>/src/data/datasets.ts.
  for (const rel of ['../../../assets/fashion-mnist-subset/', '../../assets/fashion-mnist-subset/']) {
    const p = fileURLToPath(new URL(rel, import.meta.url)).replace(/\/$/, '');
    if (isDir(p)) return p;
  }
  throw new DataError('embedded Fashion-MNIST subset not found: assets/fashion-mnist-subset/ is missing from the package');
}

function mirrors(name: DatasetName): string[] {
  const env = process.env[MIRRORS[name].env];
  const list = env ? env.split(',').map((s) => s.trim()).filter(Boolean) : MIRRORS[name].urls;
  return list.map((u) => (u.endsWith('/') ? u : `${u}/`));
}

/** Tries each mirror in turn; throws the last error when all fail. */
async function fetchFromMirrors(name: DatasetName, file: string, dest: string, md5: string, notice: (m: string) => void): Promise<void> {
  const errors: string[] = [];
  for (const base of mirrors(name)) {
    try {
      notice(`downloading ${base}${file}`);
      await downloadFile(`${base}${file}`, dest, md5);
      return;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new DataError(errors.join('; '));
}

/** Downloads the missing official MNIST or Fashion-MNIST files of `split` into `dir`, checking md5s. */
export async function downloadMnist(name: 'mnist' | 'fashion-mnist', dir: string, split: Split, notice: (m: string) => void = () => {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const file of missingMnistFiles(dir, split)) {
    await fetchFromMirrors(name, file, `${dir}/${file}`, MD5[`${name}/${file}`]!, notice);
  }
}

/**
 * Downloads CIFAR-10's binary archive into `root` (md5-checked), then unpacks its batch files into
 * `root/cifar-10-batches-bin/`, each written atomically; the archive is removed afterwards.
 * `md5` overrides the official checksum (for tests with a stand-in archive).
 */
export async function downloadCifar10(root: string, notice: (m: string) => void = () => {}, md5 = MD5['cifar10/cifar-10-binary.tar.gz']!): Promise<void> {
  mkdirSync(root, { recursive: true });
  const archive = `${root}/${CIFAR_ARCHIVE}`;
  await fetchFromMirrors('cifar10', CIFAR_ARCHIVE, archive, md5, notice);
  try {
    extractCifar10(archive, root);
  } finally {
    // Keep no 170 MB archive around: the unpacked batches are what the reader uses.
    rmSync(archive, { force: true });
  }
}

/** Unpacks the batch files of a CIFAR-10 binary .tar.gz into `root/cifar-10-batches-bin/`, atomically per file. */
export function extractCifar10(archive: string, root: string): void {
  let tar: Uint8Array;
  try {
    tar = gunzipSync(readFileSync(archive));
  } catch (e) {
    throw new DataError(`${archive}: bad gzip data (${(e as Error).message})`);
  }
  const wanted = new Set([...cifarFiles('train'), ...cifarFiles('test'), 'batches.meta.txt']);
  const members = readTar(tar, archive).filter((m) => m.type === 'file' && wanted.has(m.name.split('/').pop()!));
  const got = new Set(members.map((m) => m.name.split('/').pop()!));
  const lacking = [...cifarFiles('train'), ...cifarFiles('test')].filter((f) => !got.has(f));
  if (lacking.length) throw new DataError(`${archive}: the archive lacks ${lacking.join(', ')}; expected the CIFAR-10 binary version`);
  const out = `${root}/cifar-10-batches-bin`;
  mkdirSync(out, { recursive: true });
  for (const m of members) writeFileAtomic(`${out}/${m.name.split('/').pop()!}`, m.data);
}

/** The directory of dataset `name` under `root`; `root` itself when it directly holds the files. */
function datasetDir(name: DatasetName, root: string, split: Split): string {
  const sub = `${root}/${SUBDIR[name]}`;
  if (name === 'cifar10') return root; // readCifar10 looks in root/cifar-10-batches-bin, then root
  if (missingMnistFiles(sub, split).length && !missingMnistFiles(root, split).length) return root;
  return sub;
}

function missing(name: DatasetName, dir: string, split: Split): string[] {
  return name === 'cifar10' ? missingCifarFiles(dir, split) : missingMnistFiles(dir, split);
}

function defaultNotice(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/**
 * Loads a split of MNIST, Fashion-MNIST or CIFAR-10 from the data directory (opts.dataDir, else
 * $TSGRAD_DATA, else ~/.cache/tsgrad), downloading the official files when they are missing and
 * opts.download is true. Fashion-MNIST falls back to the embedded subset (with a one-line notice)
 * when the full data cannot be found or fetched; the others fail naming the directory and files.
 */
export async function loadDataset(name: DatasetName, split: Split, opts: LoadOptions = {}): Promise<LoadedDataset> {
  if (!(name in SUBDIR)) throw new DataError(`loadDataset: unknown dataset ${JSON.stringify(name)}; expected mnist, fashion-mnist or cifar10`);
  if (split !== 'train' && split !== 'test') throw new DataError(`loadDataset: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const notice = opts.onNotice ?? defaultNotice;
  const root = opts.dataDir ?? defaultDataDir();
  let dir = datasetDir(name, root, split);
  let lacking = missing(name, dir, split);
  let fetchError: string | null = null;
  const download = (opts.download ?? false) && !['1', 'true', 'yes'].includes(process.env['TSGRAD_OFFLINE'] ?? '');
  if (lacking.length && download) {
    try {
      if (name === 'cifar10') await downloadCifar10(root, notice);
      else await downloadMnist(name, `${root}/${SUBDIR[name]}`, split, notice);
    } catch (e) {
      fetchError = (e as Error).message;
    }
    dir = datasetDir(name, root, split);
    lacking = missing(name, dir, split);
  }
  if (lacking.length) {
    const where = name === 'cifar10' ? `${root}/cifar-10-batches-bin` : dir;
    const why = fetchError ? `download failed: ${fetchError}` : download ? 'download did not provide them' : opts.download ? 'download off: TSGRAD_OFFLINE is set' : 'download not enabled';
    if (name === 'fashion-mnist') {
      const sub = embeddedSubsetDir();
      const data = readMnist(sub, split);
      notice(`tsgrad: full Fashion-MNIST not found in ${where} (${why}); using the embedded subset (${data.labels.shape[0]} ${split} images)`);
      return { ...data, classes: CLASSES[name], source: `embedded Fashion-MNIST subset (${sub})` };
    }
    const expected = name === 'cifar10' ? cifarFiles(split) : mnistFiles(split);
    throw new DataError(`loadDataset(${name}, ${split}): ${where} lacks ${lacking.join(', ')} (expected ${expected.join(', ')}; ${why}). Put the official files there, set TSGRAD_DATA or pass a data directory, or enable download`);
  }
  const data = name === 'cifar10' ? readCifar10(dir, split) : readMnist(dir, split);
  return { ...data, classes: CLASSES[name], source: name === 'cifar10' ? `${root}/cifar-10-batches-bin` : dir };
}
