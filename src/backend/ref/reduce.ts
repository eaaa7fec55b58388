import { contiguousStrides, numel } from '../../core/shape.js';
import type { ReduceOp, View } from '../backend.js';
import { copy } from './elementwise.js';
import { forEachRow, innerStride } from './iterate.js';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

/** Reduces x over `dims` into out (x's rank, reduced dims of size 1), accumulating in float64. */
export function reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void {
  const accShape = out.shape;
  const acc = new Float64Array(numel(accShape)).fill(INIT[op]);
  // Walking x with stride 0 on the reduced dims of the accumulator folds them together.
  const accStrides = contiguousStrides(accShape).map((s, d) => (dims.includes(d) ? 0 : s));
  const xs = innerStride(x.strides);
  const as = innerStride(accStrides);
  const xd = x.data;
  forEachRow(x.shape, [x.strides, accStrides], [x.offset, 0], (offs, n) => {
    let xi = offs[0]!;
    let ai = offs[1]!;
    switch (op) {
      case 'sum':
        for (let i = 0; i < n; i++, xi += xs, ai += as) acc[ai]! += xd[xi]!;
        break;
      case 'prod':
        for (let i = 0; i < n; i++, xi += xs, ai += as) acc[ai]! *= xd[xi]!;
        break;
      case 'max':
        for (let i = 0; i < n; i++, xi += xs, ai += as) {
          const v = xd[xi]!;
          if (v > acc[ai]! || v !== v) acc[ai] = v;
        }
        break;
      case 'min':
        for (let i = 0; i < n; i++, xi += xs, ai += as) {
          const v = xd[xi]!;
          if (v < acc[ai]! || v !== v) acc[ai] = v;
        }
        break;
    }
  });
  copy({ data: acc, dtype: 'float64', shape: accShape, strides: contiguousStrides(accShape), offset: 0 }, out);
}

/** Index of the first max (or min) along `dim`; NaN counts as the largest, like PyTorch. */
export function argReduce(op: 'argmax' | 'argmin', x: View, dim: number, out: View): void {
  const outShape = x.shape.map((s, d) => (d === dim ? 1 : s));
  const len = x.shape[dim]!;
  const step = x.strides[dim]!;
  const xs = innerStride(x.strides.map((s, d) => (d === dim ? 0 : s)));
  const os = innerStride(out.strides);
  const xd = x.data;
  const od = out.data;
  const better = op === 'argmax' ? (v: number, b: number) => v > b || (v !== v && b === b) : (v: number, b: number) => v < b || (v !== v && b === b);
  forEachRow(outShape, [x.strides, out.strides], [x.offset, out.offset], (offs, n) => {
    let xi = offs[0]!;
    let oi = offs[1]!;
    for (let i = 0; i < n; i++, xi += xs, oi += os) {
      let best = xd[xi]!;
      let bi = 0;
      for (let j = 1, p = xi + step; j < len; j++, p += step) {
        const v = xd[p]!;
        if (best !== best) break;
        if (better(v, best)) {
          best = v;
          bi = j;
        }
      }
      od[oi] = bi;
    }
  });
}
