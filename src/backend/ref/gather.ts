import type { View } from '../backend.js';
import { forEachRow, innerStride } from './iterate.js';

/** Strides of `x` with `dim` removed from the walk (its position comes from the index). */
function walkStrides(x: View, dim: number): number[] {
  return x.strides.map((s, d) => (d === dim ? 0 : s));
}

/** out[..i..] = x[.. index[..i..] ..] along dim. */
export function gather(x: View, dim: number, index: View, out: View): void {
  const xw = walkStrides(x, dim);
  const step = x.strides[dim]!;
  const is = innerStride(index.strides), os = innerStride(out.strides), xs = innerStride(xw);
  forEachRow(index.shape, [index.strides, out.strides, xw], [index.offset, out.offset, x.offset], (offs, n) => {
    let ii = offs[0]!, oi = offs[1]!, xi = offs[2]!;
    for (let k = 0; k < n; k++, ii += is, oi += os, xi += xs) out.data[oi] = x.data[xi + index.data[ii]! * step]!;
  });
}

/** out[.. index[..i..] ..] += src[..i..] along dim. */
export function scatterAdd(out: View, dim: number, index: View, src: View): void {
  const ow = walkStrides(out, dim);
  const step = out.strides[dim]!;
  const is = innerStride(index.strides), ss = innerStride(src.strides), os = innerStride(ow);
  forEachRow(index.shape, [index.strides, src.strides, ow], [index.offset, src.offset, out.offset], (offs, n) => {
    let ii = offs[0]!, si = offs[1]!, oi = offs[2]!;
    for (let k = 0; k < n; k++, ii += is, si += ss, oi += os) out.data[oi + index.data[ii]! * step]! += src.data[si]!;
  });
}
