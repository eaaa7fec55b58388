/**
 * torchvision's pretrained ImageNet weights: the official file names (whose suffix is the first
 * hex digits of the file's sha256, which we check), where they are cached, and how to load them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { TsgradError } from '../../core/errors.js';
import { tempPathFor } from '../../core/atomic-write.js';
import { defaultDataDir } from '../../data/datasets.js';
import { loadSafetensors } from '../../io/safetensors.js';
import { loadTorch } from '../../io/torch/file.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../../nn/module.js';
import { IMAGENET_MEAN, IMAGENET_STD } from './preprocess.js';

/** Pretrained weights that cannot be found, fetched or verified. */
export class WeightsError extends TsgradError {
  override name = 'WeightsError';
}

/** One published set of weights and the preprocessing it expects. */
export interface WeightsEntry {
  url: string;
  /** First hex digits of the file's sha256 (torchvision puts them in the file name). */
  sha256Prefix: string;
  /** Shorter side before the centre crop, and the crop, of torchvision's evaluation transform. */
  resize: number;
  crop: number;
  mean: readonly number[];
  std: readonly number[];
  /** ImageNet-1k top-1 accuracy torchvision reports for these weights. */
  acc1: number;
}

const BASE = 'https://download.pytorch.org/models/';
function entry(file: string, resize: number, acc1: number): WeightsEntry {
  const m = /-([0-9a-f]+)\.pth$/.exec(file)!;
  return { url: BASE + file, sha256Prefix: m[1]!, resize, crop: 224, mean: IMAGENET_MEAN, std: IMAGENET_STD, acc1 };
}

/** Names of the published weights (DEFAULT is the best one torchvision lists for the architecture). */
export type WeightsName = 'IMAGENET1K_V1' | 'IMAGENET1K_V2' | 'DEFAULT';

/** torchvision 0.14's weights for each architecture tsgrad implements. */
export const TORCHVISION_WEIGHTS: Record<string, Partial<Record<Exclude<WeightsName, 'DEFAULT'>, WeightsEntry>> & { DEFAULT: Exclude<WeightsName, 'DEFAULT'> }> = {
  resnet18: { IMAGENET1K_V1: entry('resnet18-f37072fd.pth', 256, 69.758), DEFAULT: 'IMAGENET1K_V1' },
  resnet34: { IMAGENET1K_V1: entry('resnet34-b627a593.pth', 256, 73.314), DEFAULT: 'IMAGENET1K_V1' },
  resnet50: { IMAGENET1K_V1: entry('resnet50-0676ba61.pth', 256, 76.13), IMAGENET1K_V2: entry('resnet50-11ad3fa6.pth', 232, 80.858), DEFAULT: 'IMAGENET1K_V2' },
  vgg11_bn: { IMAGENET1K_V1: entry('vgg11_bn-6002323d.pth', 256, 70.37), DEFAULT: 'IMAGENET1K_V1' },
  vgg16_bn: { IMAGENET1K_V1: entry('vgg16_bn-6c64b313.pth', 256, 73.36), DEFAULT: 'IMAGENET1K_V1' },
  mobilenet_v2: { IMAGENET1K_V1: entry('mobilenet_v2-b0353104.pth', 256, 71.878), IMAGENET1K_V2: entry('mobilenet_v2-7ebf99e0.pth', 232, 72.154), DEFAULT: 'IMAGENET1K_V2' },
};

/** Looks up the weights entry of an architecture, naming the choices when there is none. */
export function weightsEntry(arch: string, name: WeightsName): WeightsEntry {
  const table = TORCHVISION_WEIGHTS[arch];
  if (!table) throw new WeightsError(`no pretrained weights are known for ${arch} (known: ${Object.keys(TORCHVISION_WEIGHTS).join(', ')})`);
  const e = table[name === 'DEFAULT' ? table.DEFAULT : name];
  if (!e) throw new WeightsError(`${arch} has no weights named ${name} (available: ${Object.keys(table).join(', ')})`);
  return e;
}

/** Folder where downloaded weights are cached: <data dir>/weights ($TSGRAD_DATA, else ~/.cache/tsgrad). */
export function weightsCacheDir(): string {
  return join(defaultDataDir(), 'weights');
}

/** Options of fetchWeights. */
export interface FetchWeightsOptions {
  /** Cache folder (default weightsCacheDir()). */
  cacheDir?: string;
  /** Try to download a missing file (default true). */
  download?: boolean;
  /** Abort a download that sends nothing for this long (ms; default 30 s). */
  timeoutMs?: number;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function placeHint(file: string, dest: string, e: WeightsEntry): string {
  return `Download ${e.url} on a machine with a network and place it at ${dest} (its sha256 must start with ${e.sha256Prefix}); ${file} in ~/.cache/torch/hub/checkpoints/ is used as well.`;
}

/**
 * Returns the local path of a weights file, downloading it into the cache when missing and checking
 * its sha256 prefix. Offline, the error says which file to place where.
 */
export async function fetchWeights(e: WeightsEntry, opts: FetchWeightsOptions = {}): Promise<string> {
  const file = basename(new URL(e.url).pathname);
  const dir = opts.cacheDir ?? weightsCacheDir();
  const dest = join(dir, file);
  const torchHub = join(process.env['TORCH_HOME'] ?? join(homedir(), '.cache', 'torch'), 'hub', 'checkpoints', file);
  for (const p of [dest, torchHub]) {
    if (!existsSync(p)) continue;
    const got = sha256(readFileSync(p));
    if (!got.startsWith(e.sha256Prefix)) throw new WeightsError(`${p}: sha256 ${got.slice(0, 16)}... does not start with ${e.sha256Prefix}, the hash torchvision publishes for ${file}; the file is damaged or not the official one. Delete it. ${placeHint(file, dest, e)}`);
    return p;
  }
  if (opts.download === false) throw new WeightsError(`${file} is not in the cache and downloading is off. ${placeHint(file, dest, e)}`);
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? 30_000);
  let bytes: Uint8Array;
  try {
    const res = await fetch(e.url, { signal: ctrl.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    const why = ctrl.signal.aborted ? 'timed out' : `${(err as Error).message}${cause?.message ? ` (${cause.message})` : ''}`;
    throw new WeightsError(`could not download ${e.url}: ${why}. ${placeHint(file, dest, e)}`);
  } finally {
    clearTimeout(timer);
  }
  const got = sha256(bytes);
  if (!got.startsWith(e.sha256Prefix)) throw new WeightsError(`downloaded ${e.url} but its sha256 ${got.slice(0, 16)}... does not start with ${e.sha256Prefix}; nothing was saved`);
  mkdirSync(dir, { recursive: true });
  const tmp = tempPathFor(dest);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { force: true });
  }
  return dest;
}

/** Reads a state dict from a .pth (torch.save) or .safetensors file. */
export function readStateDictFile(path: string): Map<string, Tensor> {
  return path.endsWith('.safetensors') ? loadSafetensors(path).tensors : loadTorch(path);
}

/** Weights to load: a published name, or the path of a .pth / .safetensors state dict. */
export type WeightsSpec = WeightsName | (string & {});

/** Loads `spec` into `model` (strict: every name must match) and returns the model. */
export async function loadWeightsInto<M extends Module>(model: M, arch: string, spec: WeightsSpec, opts: FetchWeightsOptions = {}): Promise<M> {
  const isName = spec === 'DEFAULT' || /^IMAGENET1K_V\d$/.test(spec);
  const path = isName ? await fetchWeights(weightsEntry(arch, spec as WeightsName), opts) : spec;
  if (!isName && !existsSync(path)) throw new WeightsError(`${arch}: weights file ${path} does not exist (give a path, or one of ${Object.keys(TORCHVISION_WEIGHTS[arch] ?? {}).join(', ')})`);
  model.loadStateDict(readStateDictFile(path));
  return model;
}
