import type { View } from '../backend.js';
import { forEachRow, innerStride } from './iterate.js';

/**
 * Calls line(offsets) once per line along `dim` of views of one shape: offsets of
 * the line's first element in each view (its elements then step by strides[dim]).
 */
function forEachLine(shape: readonly number[], dim: number, views: readonly View[], line: (offs: readonly number[]) => void): void {
  const outer = shape.map((s, d) => (d === dim ? 1 : s));
  const inner = views.map((v) => innerStride(v.strides.map((s, d) => (d === dim ? 0 : s))));
  forEachRow(outer, views.map((v) => v.strides), views.map((v) => v.offset), (offs, n) => {
    const o = offs.slice();
    for (let i = 0; i < n; i++) {
      line(o);
      for (let k = 0; k < o.length; k++) o[k]! += inner[k]!;
    }
  });
}

/** Softmax or log-softmax along `dim` (Backend.softmax): shifted by the row max, sums in float64. */
export function softmax(x: View, dim: number, log: boolean, out: View): void {
  const len = x.shape[dim]!;
  const xs = x.strides[dim]!;
  const os = out.strides[dim]!;
  const xd = x.data;
  const od = out.data;
  forEachLine(x.shape, dim, [x, out], ([xo, oo]) => {
    let m = -Infinity;
    for (let j = 0, p = xo!; j < len; j++, p += xs) {
      const v = xd[p]!;
      if (v > m || v !== v) m = v;
    }
    if (!Number.isFinite(m)) m = 0;
    // z (and exp(z) for softmax) are rounded to out's dtype on the way, as separate ops would.
    let s = 0;
    for (let j = 0, p = xo!, q = oo!; j < len; j++, p += xs, q += os) {
      od[q] = xd[p]! - m;
      if (log) {
        s += Math.exp(od[q]!);
      } else {
        od[q] = Math.exp(od[q]!);
        s += od[q]!;
      }
    }
    if (log) {
      const ls = Math.log(s);
      for (let j = 0, q = oo!; j < len; j++, q += os) od[q] = od[q]! - ls;
    } else {
      for (let j = 0, q = oo!; j < len; j++, q += os) od[q] = od[q]! / s;
    }
  });
}

/** Gradient of softmax / log-softmax along `dim` from its output y (Backend.softmaxBackward). */
export function softmaxBackward(g: View, y: View, dim: number, log: boolean, out: View): void {
  const len = y.shape[dim]!;
  const gs = g.strides[dim]!;
  const ys = y.strides[dim]!;
  const os = out.strides[dim]!;
  const gd = g.data;
  const yd = y.data;
  const od = out.data;
  forEachLine(y.shape, dim, [g, y, out], ([go, yo, oo]) => {
    let s = 0;
    for (let j = 0, p = go!, q = yo!; j < len; j++, p += gs, q += ys) s += log ? gd[p]! : gd[p]! * yd[q]!;
    for (let j = 0, p = go!, q = yo!, r = oo!; j < len; j++, p += gs, q += ys, r += os) {
      od[r] = log ? gd[p]! - Math.exp(yd[q]!) * s : yd[q]! * (gd[p]! - s);
    }
  });
}
