import { test } from 'node:test';
import type { DType } from '../../src/core/dtype.js';
import { Rng, close, makeView, nat, read, ref, skip, zeros } from './util.js';

// [N, C, S] shapes: S a multiple of the 8-wide vector, not one, 1 (BatchNorm1d), and many channels.
const SHAPES = [[4, 3, 16], [3, 5, 13], [64, 7, 1], [2, 130, 9], [1, 2, 1000]];

test('native BatchNorm channel kernels match ref: statistics, gradient sums, the affine map with and without a second input', { skip }, () => {
  const rng = new Rng(70);
  for (const dtype of ['float32', 'float64'] as DType[]) {
    const tol = dtype === 'float32' ? 1e-5 : 1e-12;
    for (const shape of SHAPES) {
      const C = shape[1]!;
      const what = `${dtype} ${JSON.stringify(shape)}`;
      // An offset mean makes the two-pass variance matter.
      const x = makeView(shape, dtype, 'contiguous', () => 3 + rng.normal());
      const gy = makeView(shape, dtype, 'contiguous', () => rng.normal());
      const [rm, rv, nm, nv] = [zeros([C], dtype), zeros([C], dtype), zeros([C], dtype), zeros([C], dtype)];
      ref.channelStats(x, rm, rv);
      nat!.channelStats(x, nm, nv);
      close(read(nm), read(rm), tol, tol, `channelStats mean ${what}`);
      close(read(nv), read(rv), tol, tol, `channelStats var ${what}`);

      const [rs, rt, ns, nt] = [zeros([C], dtype), zeros([C], dtype), zeros([C], dtype), zeros([C], dtype)];
      ref.channelGradSums(gy, x, rm, rs, rt);
      nat!.channelGradSums(gy, x, rm, ns, nt);
      close(read(ns), read(rs), tol, tol * 10, `channelGradSums Σgy ${what}`);
      close(read(nt), read(rt), tol, tol * 10, `channelGradSums Σgy(x-μ) ${what}`);

      const a = makeView([C], dtype, 'contiguous', () => rng.normal());
      const b = makeView([C], dtype, 'contiguous', () => rng.normal());
      const d = makeView([C], dtype, 'contiguous', () => rng.normal());
      for (const withY of [false, true]) {
        const ro = zeros(shape, dtype), no = zeros(shape, dtype);
        ref.channelAffine(gy, a, d, ro, withY ? x : null, withY ? b : null);
        nat!.channelAffine(gy, a, d, no, withY ? x : null, withY ? b : null);
        close(read(no), read(ro), tol, tol, `channelAffine ${withY ? 'a·g + b·x + d' : 'a·g + d'} ${what}`);
      }
    }
  }
});
