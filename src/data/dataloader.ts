import { defaultGenerator, type Generator } from '../core/rng.js';
import { checkDevice, type Device } from '../backend/device.js';
import { Tensor } from '../tensor/tensor.js';
import { defaultCollate, type Collated } from './collate.js';
import { isBatchDataset, type Dataset } from './dataset.js';
import { DataError } from './errors.js';

/** Options of DataLoader (PyTorch's names in camelCase). */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a fresh random order at the start of every pass (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: defaultCollate); giving one turns off the gather fast path. */
  collate?: (samples: T[]) => B;
  /** Source of the shuffling order (default: the global generator); seed it for a reproducible order. */
  generator?: Generator;
  /** Applied to each batch's input (element 0 of a tuple batch, or the batch itself when it is a tensor), e.g. augmentation. */
  transform?: (x: Tensor) => Tensor;
  /** Moves every tensor of each batch to this device ('webgpu'): batches are made on the CPU, then uploaded once. */
  device?: Device;
}

/**
 * Iterates over a dataset in batches (PyTorch's DataLoader), with for-of or for-await. Datasets with
 * getBatch (TensorDataset, and Subsets of it) are gathered a whole batch at a time with indexSelect;
 * others are read sample by sample and collated. Each pass with shuffle draws a new permutation
 * from the generator, so a seeded generator gives the same sequence of epochs every run.
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator;
  private readonly collateFn: ((samples: T[]) => B) | null;
  private readonly transform: ((x: Tensor) => Tensor) | null;
  readonly device: Device;

  constructor(readonly dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    this.batchSize = opts.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new DataError(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator ?? defaultGenerator;
    this.collateFn = opts.collate ?? null;
    this.transform = opts.transform ?? null;
    this.device = opts.device === undefined ? 'cpu' : checkDevice(opts.device, 'DataLoader');
  }

  /** Number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sample order of one pass: a fresh permutation when shuffling, else 0..n-1. */
  private order(): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return this.generator.permutation(n);
    const o = new Int32Array(n);
    for (let i = 0; i < n; i++) o[i] = i;
    return o;
  }

  private makeBatch(idx: Int32Array): B {
    const ds = this.dataset;
    let batch: B;
    if (this.collateFn === null && isBatchDataset(ds)) batch = ds.getBatch(idx) as B;
    else {
      const samples = Array.from(idx, (i) => ds.get(i));
      batch = this.collateFn ? this.collateFn(samples) : (defaultCollate(samples) as B);
    }
    const out = this.transform ? this.applyTransform(batch) : batch;
    return this.device === 'cpu' ? out : (moveBatch(out, this.device) as B);
  }

  private applyTransform(batch: B): B {
    const t = this.transform!;
    if (Array.isArray(batch)) return [t(batch[0] as Tensor), ...batch.slice(1)] as B;
    return t(batch as unknown as Tensor) as B;
  }

  /** Batches of one pass, in order. */
  *[Symbol.iterator](): Iterator<B> {
    const order = this.order();
    const n = order.length;
    const end = this.dropLast ? n - (n % this.batchSize) : n;
    for (let at = 0; at < end; at += this.batchSize) yield this.makeBatch(order.subarray(at, Math.min(at + this.batchSize, end)));
  }

  /** The same batches for `for await`, yielding to the event loop between batches (timers and I/O keep running). */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    for (const b of this) {
      yield b;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/** A batch (a tensor, or an array of tensors and other values) with its tensors moved to `device`. */
function moveBatch(batch: unknown, device: Device): unknown {
  if (batch instanceof Tensor) return batch.device === device ? batch : batch.to(device);
  if (Array.isArray(batch)) return batch.map((b) => moveBatch(b, device));
  return batch;
}
