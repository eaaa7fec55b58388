import { normalizeDim } from '../core/shape.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from './shape.js';
import { contiguousRaw, defineMethods, empty } from './util.js';

/** Running sums along dim d, forwards or (for the gradient) backwards; bool sums to int32. */
function scanSum(x: Tensor, d: number, reverse: boolean): Tensor {
  const xc = contiguousRaw(x);
  const out = empty(x.shape, x.dtype === 'bool' ? 'int32' : x.dtype);
  const n = x.shape[d]!;
  const inner = x.shape.slice(d + 1).reduce((a, s) => a * s, 1);
  const outer = x.shape.slice(0, d).reduce((a, s) => a * s, 1);
  const src = xc.data;
  const dst = out.data;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const i = base + (reverse ? n - 1 - j : j) * inner;
        acc += Number(src[i]);
        dst[i] = acc;
      }
    }
  }
  return record(reverse ? 'cumsumReverse' : 'cumsum', out, [x], (g) => [scanSum(g, d, !reverse)]);
}

/** Cumulative sum along `dim`: out[i] = x[0] + ... + x[i]. The gradient is the reversed cumulative sum. */
export function cumsum(x: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return reshape(scanSum(reshape(x, [1]), 0, false), []);
  return scanSum(x, normalizeDim('cumsum', dim, x.ndim), false);
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    cumsum(dim: number): Tensor;
  }
}

defineMethods({ cumsum: (x, d: number) => cumsum(x, d) });
