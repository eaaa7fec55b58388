import { DataError } from './errors.js';
import { allocStorage } from '../core/dtype.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { fmtShape } from '../core/errors.js';
import { Tensor } from '../tensor/tensor.js';
import { indexSelect } from '../ops/indexing.js';
import { select } from '../ops/shape.js';

/** A map-style dataset: `length` samples, sample i from `get(i)` (PyTorch's Dataset). */
export interface Dataset<T> {
  readonly length: number;
  get(i: number): T;
}

/**
 * A dataset that can also hand out a whole batch at once (the DataLoader's fast path): `getBatch`
 * returns what the default collate would make of `get(i)` for each index, without a per-sample loop.
 */
export interface BatchDataset<T, B> extends Dataset<T> {
  getBatch(indices: Int32Array): B;
}

/** True when `ds` has the getBatch fast path. */
export function isBatchDataset<T>(ds: Dataset<T>): ds is BatchDataset<T, unknown> {
  return typeof (ds as Partial<BatchDataset<T, unknown>>).getBatch === 'function';
}

function checkIndex(op: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`${op}: index ${i} is out of range for a dataset of length ${n}`);
}

/** A tuple of tensors mapped to a tuple of tensors. */
type Tensors<T extends readonly Tensor[]> = { [K in keyof T]: Tensor };

/**
 * Samples are slices along dim 0 of tensors of equal first size (PyTorch's TensorDataset):
 * `get(i)` gives views `[t0[i], t1[i], ...]`; `getBatch` gathers rows with indexSelect.
 */
export class TensorDataset<T extends readonly Tensor[] = [Tensor, Tensor]> implements BatchDataset<Tensors<T>, Tensors<T>> {
  readonly tensors: T;

  constructor(...tensors: T) {
    if (tensors.length === 0) throw new DataError('TensorDataset: expected at least one tensor');
    const n = tensors[0]!.shape[0];
    for (const [k, t] of tensors.entries()) {
      if (t.ndim === 0 || t.shape[0] !== n) {
        throw new DataError(`TensorDataset: tensor ${k} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(tensors[0]!.shape)}; all need the same size along dim 0`);
      }
    }
    this.tensors = tensors;
  }

  /** Number of samples (the common size of dim 0). */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Sample i: a view of row i of each tensor. */
  get(i: number): Tensors<T> {
    checkIndex('TensorDataset.get', i, this.length);
    return this.tensors.map((t) => select(t, 0, i)) as unknown as Tensors<T>;
  }

  /** Rows `indices` of each tensor, gathered a whole batch at a time (one indexSelect, or row copies). */
  getBatch(indices: Int32Array): Tensors<T> {
    const idx = Tensor.fromStorage(indices, 'int32', [indices.length]);
    return this.tensors.map((t) => gatherRows(t, indices, idx)) as unknown as Tensors<T>;
  }
}

/**
 * Rows of `t` along dim 0. A contiguous tensor outside autograd takes one typed-array block copy
 * per row (about 10x faster than the generic strided gather kernel on the reference backend);
 * anything else goes through indexSelect, which also records the gradient.
 */
function gatherRows(t: Tensor, indices: Int32Array, idx: Tensor): Tensor {
  if (t.requiresGrad || !t.isContiguous()) return indexSelect(t, 0, idx);
  const n = t.shape[0]!;
  const row = n === 0 ? 0 : t.numel() / n;
  const out = allocStorage(t.dtype, indices.length * row);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < n)) throw new RangeError(`TensorDataset.getBatch: index ${i} is out of range for a dataset of length ${n}`);
    const from = t.offset + i * row;
    out.set(t.data.subarray(from, from + row), k * row);
  }
  return Tensor.fromStorage(out, t.dtype, [indices.length, ...t.shape.slice(1)]);
}

/** The samples of `dataset` at `indices`, in that order (PyTorch's Subset); keeps the batch fast path. */
export class Subset<T, B = never> implements Dataset<T> {
  readonly indices: Int32Array;

  constructor(readonly dataset: Dataset<T>, indices: ArrayLike<number>) {
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) checkIndex('Subset', i, dataset.length);
    if (isBatchDataset(dataset)) {
      // Map batch indices through ours, then let the parent gather in one go.
      (this as unknown as BatchDataset<T, B>).getBatch = (idx: Int32Array): B => {
        const mapped = new Int32Array(idx.length);
        for (let k = 0; k < idx.length; k++) {
          checkIndex('Subset.getBatch', idx[k]!, this.indices.length);
          mapped[k] = this.indices[idx[k]!]!;
        }
        return (dataset as BatchDataset<T, B>).getBatch(mapped);
      };
    }
  }

  /** Number of samples in the subset. */
  get length(): number {
    return this.indices.length;
  }

  /** Sample i of the subset (sample indices[i] of the parent). */
  get(i: number): T {
    checkIndex('Subset.get', i, this.indices.length);
    return this.dataset.get(this.indices[i]!);
  }
}

/**
 * Splits a dataset into non-overlapping random subsets of the given lengths (PyTorch's random_split).
 * Lengths are counts summing to the dataset's length, or fractions summing to 1 (floored, the
 * remainder handed out one by one from the first subset on). Seeded by `generator`.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const n = dataset.length;
  let counts = [...lengths];
  const total = counts.reduce((a, b) => a + b, 0);
  if (counts.some((c) => !(c >= 0))) throw new DataError(`randomSplit: lengths must be non-negative, got [${lengths.join(', ')}]`);
  if (Math.abs(total - 1) < 1e-9 && counts.some((c) => !Number.isInteger(c))) {
    counts = counts.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let k = 0; rest > 0; k = (k + 1) % counts.length, rest--) counts[k]!++;
  } else if (counts.some((c) => !Number.isInteger(c)) || total !== n) {
    throw new DataError(`randomSplit: lengths [${lengths.join(', ')}] must be integers summing to the dataset length ${n}, or fractions summing to 1`);
  }
  const perm = generator.permutation(n);
  let at = 0;
  return counts.map((c) => new Subset(dataset, perm.subarray(at, (at += c))));
}
