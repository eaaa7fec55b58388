import { IndexError } from '../core/errors.js';
import { normalizeDim } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { gather } from './indexing.js';
import { contiguousRaw, defineMethods, empty, zeroed } from './util.js';
import { narrow } from './shape.js';

/** Options of sort: order, and stability (tsgrad's sort is always stable; the flag is accepted for PyTorch parity). */
export interface SortOptions {
  descending?: boolean;
  stable?: boolean;
}

/**
 * Sorted values and, for each, its position along the sorted dim in the input (int32). Like
 * PyTorch's (values, indices) named tuple it also destructures: `const [v, i] = x.sort()`.
 */
export class SortResult implements Iterable<Tensor> {
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}

  /** Yields values, then indices. */
  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

function result(values: Tensor, indices: Tensor): SortResult {
  return new SortResult(values, indices);
}

/** Ascending order with NaN last (PyTorch's order); descending reverses it, so NaN comes first. */
function ascending(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The int32 permutation that stably sorts every line of `x` along `dim` (not recorded). */
function sortIndices(x: Tensor, d: number, descending: boolean): Tensor {
  const xc = contiguousRaw(x);
  const n = x.shape[d]!;
  const inner = x.shape.slice(d + 1).reduce((a, s) => a * s, 1);
  const outer = x.shape.slice(0, d).reduce((a, s) => a * s, 1);
  const idx = empty(x.shape, 'int32');
  const src = xc.data;
  const dst = idx.data;
  const order = new Array<number>(n);
  const line = new Float64Array(n);
  const cmp = descending ? (i: number, j: number) => ascending(line[j]!, line[i]!) : (i: number, j: number) => ascending(line[i]!, line[j]!);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      for (let i = 0; i < n; i++) {
        line[i] = Number(src[base + i * inner]);
        order[i] = i;
      }
      // Array.prototype.sort is stable, so equal values keep their input order.
      order.sort(cmp);
      for (let i = 0; i < n; i++) dst[base + i * inner] = order[i]!;
    }
  }
  return idx;
}

/** Sorts along `dim` (default last), ascending unless `descending`; equal values keep their order (stable). */
export function sort(x: Tensor, dim = -1, opts: SortOptions | boolean = {}): SortResult {
  const o = typeof opts === 'boolean' ? { descending: opts } : opts;
  if (x.ndim === 0) return result(x, zeroed([], 'int32'));
  const d = normalizeDim('sort', dim, x.ndim);
  const indices = sortIndices(x, d, o.descending ?? false);
  return result(gather(x, d, indices), indices);
}

/** The int32 indices that sort `x` along `dim` (PyTorch's argsort). */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  if (x.ndim === 0) return zeroed([], 'int32');
  return sortIndices(x, normalizeDim('argsort', dim, x.ndim), descending);
}

/** The k largest (or smallest) values along `dim` and their indices; sorted best first. */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): SortResult {
  const d = x.ndim === 0 ? 0 : normalizeDim('topk', dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new IndexError(`topk: k must be an integer from 0 to ${n} (the size of dimension ${dim}), got ${k}`);
  if (x.ndim === 0) return sort(x);
  void sorted; // Results always come sorted; PyTorch allows either when sorted=false.
  const all = sortIndices(x, d, largest);
  const indices = contiguousRaw(narrow(all, d, 0, k));
  return result(gather(x, d, indices), indices);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    sort(dim?: number, opts?: SortOptions | boolean): SortResult;
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): SortResult;
  }
}

defineMethods({
  sort: (x, d?: number, o?: SortOptions | boolean) => sort(x, d, o),
  argsort: (x, d?: number, desc?: boolean) => argsort(x, d, desc),
  topk: (x, k: number, d?: number, l?: boolean, s?: boolean) => topk(x, k, d, l, s),
});
