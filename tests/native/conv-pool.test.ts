import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conv2dParams, Pool2dParams } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { Rng, close, makeView, nat, read, ref, skip, zeros } from './util.js';

interface Case { N: number; C: number; H: number; W: number; O: number; KH: number; KW: number; p: Conv2dParams }

const conv = (s: number, pad: number, d = 1, g = 1): Conv2dParams => ({ stride: [s, s], padding: [pad, pad], dilation: [d, d], groups: g });
const CASES: Case[] = [
  { N: 2, C: 3, H: 7, W: 7, O: 4, KH: 3, KW: 3, p: conv(1, 1) },
  { N: 1, C: 1, H: 17, W: 9, O: 5, KH: 3, KW: 3, p: conv(2, 1) },
  { N: 3, C: 4, H: 9, W: 11, O: 6, KH: 3, KW: 2, p: conv(1, 2, 2, 2) },
  { N: 4, C: 8, H: 5, W: 5, O: 16, KH: 1, KW: 1, p: conv(1, 0) },
  { N: 2, C: 6, H: 6, W: 6, O: 6, KH: 1, KW: 1, p: conv(2, 0, 1, 3) },
  { N: 5, C: 2, H: 13, W: 12, O: 3, KH: 5, KW: 4, p: { stride: [2, 3], padding: [2, 1], dilation: [1, 2], groups: 1 } },
  { N: 2, C: 33, H: 8, W: 8, O: 17, KH: 3, KW: 3, p: conv(1, 1) },
  { N: 1, C: 2, H: 1, W: 1, O: 3, KH: 3, KW: 3, p: conv(1, 1) },
  // Small padded maps with many channels take the per-tap path (one GEMM per kernel tap).
  { N: 3, C: 64, H: 4, W: 4, O: 65, KH: 3, KW: 3, p: conv(1, 1) },
  { N: 2, C: 70, H: 2, W: 2, O: 64, KH: 3, KW: 3, p: conv(1, 1) },
  { N: 2, C: 64, H: 3, W: 2, O: 64, KH: 5, KW: 3, p: { stride: [1, 1], padding: [2, 1], dilation: [1, 1], groups: 1 } },
  { N: 2, C: 64, H: 1, W: 1, O: 66, KH: 3, KW: 3, p: conv(1, 1) },
  // float32 3x3 / stride 1 layers with >= 16 channels and maps of >= 16 outputs take Winograd
  // F(2x2, 3x3): odd and even sizes (edge tiles), every padding it takes, more tiles than a chunk.
  { N: 3, C: 16, H: 8, W: 8, O: 24, KH: 3, KW: 3, p: conv(1, 1) },
  { N: 2, C: 17, H: 9, W: 7, O: 16, KH: 3, KW: 3, p: conv(1, 1) },
  { N: 2, C: 20, H: 6, W: 11, O: 18, KH: 3, KW: 3, p: conv(1, 0) },
  { N: 2, C: 16, H: 5, W: 6, O: 19, KH: 3, KW: 3, p: conv(1, 2) },
  { N: 5, C: 32, H: 33, W: 30, O: 16, KH: 3, KW: 3, p: conv(1, 1) },
  // More tiles than one weight-gradient chunk holds: the tile products accumulate across chunks.
  { N: 2, C: 16, H: 96, W: 90, O: 16, KH: 3, KW: 3, p: conv(1, 1) },
];

function outSize(n: number, k: number, s: number, pad: number, d: number): number {
  return Math.floor((n + 2 * pad - d * (k - 1) - 1) / s) + 1;
}

test('native conv2d forward and both backward passes match ref', { skip }, () => {
  const rng = new Rng(20);
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const c of CASES) {
      const OH = outSize(c.H, c.KH, c.p.stride[0], c.p.padding[0], c.p.dilation[0]);
      const OW = outSize(c.W, c.KW, c.p.stride[1], c.p.padding[1], c.p.dilation[1]);
      const x = makeView([c.N, c.C, c.H, c.W], dtype, 'contiguous', () => rng.normal());
      const w = makeView([c.O, c.C / c.p.groups, c.KH, c.KW], dtype, 'contiguous', () => rng.normal());
      const gy = makeView([c.N, c.O, OH, OW], dtype, 'contiguous', () => rng.normal());
      const k = (c.C / c.p.groups) * c.KH * c.KW;
      const atol = dtype === 'float32' ? 1e-5 * Math.sqrt(k * c.N * OH * OW) : 1e-11;
      const rtol = dtype === 'float32' ? 1e-5 : 1e-12;
      const name = `${dtype} ${JSON.stringify(c)}`;
      const yr = zeros([c.N, c.O, OH, OW], dtype), yn = zeros([c.N, c.O, OH, OW], dtype);
      ref.conv2d(x, w, yr, c.p);
      nat!.conv2d(x, w, yn, c.p);
      close(read(yn), read(yr), rtol, atol, `conv2d ${name}`);
      // With a bias (strided, so the kernel must use the view's stride), added per output channel.
      const biasBase = makeView([2 * c.O + 1], dtype, 'contiguous', () => rng.normal());
      const bias = { ...biasBase, shape: [c.O], strides: [2], offset: 1 };
      const br = zeros(yr.shape, dtype), bn = zeros(yr.shape, dtype);
      ref.conv2d(x, w, br, c.p, bias);
      nat!.conv2d(x, w, bn, c.p, bias);
      close(read(bn), read(br), rtol, atol, `conv2d with bias ${name}`);
      const plane = OH * OW;
      close(read(br), read(yr).map((v, i) => v + read(bias)[Math.floor(i / plane) % c.O]!), rtol, atol, `ref conv2d bias ${name}`);
      // gx starts dirty: the kernel must zero it.
      const gxr = zeros(x.shape, dtype), gxn = makeView(x.shape, dtype, 'contiguous', () => 5);
      ref.conv2dBackwardInput(gy, w, gxr, c.p);
      nat!.conv2dBackwardInput(gy, w, gxn, c.p);
      close(read(gxn), read(gxr), rtol, atol, `conv2dBackwardInput ${name}`);
      const gwr = zeros(w.shape, dtype), gwn = makeView(w.shape, dtype, 'contiguous', () => 5);
      ref.conv2dBackwardWeight(x, gy, gwr, c.p);
      nat!.conv2dBackwardWeight(x, gy, gwn, c.p);
      close(read(gwn), read(gwr), rtol, atol, `conv2dBackwardWeight ${name}`);
    }
  }
});

test('native conv2d hand values: 3x3 input, 2x2 kernel', { skip }, () => {
  const seq = (v: number[]) => { let i = 0; return () => v[i++]!; };
  const x = makeView([1, 1, 3, 3], 'float32', 'contiguous', seq([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const w = makeView([1, 1, 2, 2], 'float32', 'contiguous', seq([1, 0, 0, -1]));
  const y = zeros([1, 1, 2, 2], 'float32');
  nat!.conv2d(x, w, y, conv(1, 0));
  assert.deepEqual(read(y), [-4, -4, -4, -4]);
  const gy = makeView([1, 1, 2, 2], 'float32', 'contiguous', seq([1, 1, 1, 1]));
  const gw = zeros([1, 1, 2, 2], 'float32');
  nat!.conv2dBackwardWeight(x, gy, gw, conv(1, 0));
  assert.deepEqual(read(gw), [12, 16, 24, 28]);
  const gx = zeros([1, 1, 3, 3], 'float32');
  nat!.conv2dBackwardInput(gy, w, gx, conv(1, 0));
  assert.deepEqual(read(gx), [1, 1, 0, 1, 0, -1, 0, -1, -1]);
});

const pool = (k: number, s: number, pad: number, countIncludePad = true): Pool2dParams => ({ kernel: [k, k], stride: [s, s], padding: [pad, pad], countIncludePad });

test('native pooling forward and backward match ref', { skip }, () => {
  const rng = new Rng(21);
  const cases: [number[], Pool2dParams][] = [
    [[2, 3, 8, 8], pool(2, 2, 0)],
    [[1, 2, 7, 9], pool(3, 2, 1)],
    [[2, 2, 7, 7], pool(3, 2, 1, false)],
    [[3, 1, 5, 6], { kernel: [2, 3], stride: [1, 2], padding: [1, 1], countIncludePad: true }],
    [[1, 1, 1, 1], pool(1, 1, 0)],
    [[2, 65, 4, 4], pool(3, 2, 1)],
    // Larger planes: most windows are unclipped (the unrolled 2x2 and 3x3 paths), odd sizes leave an edge.
    [[2, 3, 13, 11], pool(2, 2, 0)],
    [[1, 2, 12, 13], pool(3, 1, 1)],
    [[1, 2, 16, 15], pool(3, 2, 1)],
    // Eight or more unclipped stride-2 windows per row: the AVX2 path, with a right-aligned last group.
    [[2, 3, 28, 28], pool(2, 2, 0)],
    [[1, 3, 32, 33], pool(3, 2, 1)],
    [[1, 2, 9, 41], pool(2, 2, 0)],
  ];
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const [shape, p] of cases) {
      const [N, C, H, W] = shape as [number, number, number, number];
      const OH = Math.floor((H + 2 * p.padding[0] - p.kernel[0]) / p.stride[0]) + 1;
      const OW = Math.floor((W + 2 * p.padding[1] - p.kernel[1]) / p.stride[1]) + 1;
      // Integers with ties (max picks the first) plus a NaN or a -Infinity now and then.
      const x = makeView(shape, dtype, 'contiguous', () => (rng.next() < 0.02 ? NaN : rng.next() < 0.03 ? -Infinity : rng.int(5)));
      const name = `${dtype} ${JSON.stringify(shape)} ${JSON.stringify(p)}`;
      const yr = zeros([N, C, OH, OW], dtype), yn = zeros([N, C, OH, OW], dtype);
      const ar = zeros([N, C, OH, OW], 'int32'), an = zeros([N, C, OH, OW], 'int32');
      ref.maxPool2d(x, yr, ar, p);
      nat!.maxPool2d(x, yn, an, p);
      assert.deepEqual(read(yn), read(yr), `maxPool2d ${name}`);
      assert.deepEqual(read(an), read(ar), `maxPool2d argmax ${name}`);
      const gy = makeView([N, C, OH, OW], dtype, 'contiguous', () => rng.normal());
      const gr = zeros(shape, dtype), gn = makeView(shape, dtype, 'contiguous', () => 3);
      ref.maxPool2dBackward(gy, ar, gr, p);
      nat!.maxPool2dBackward(gy, an, gn, p);
      close(read(gn), read(gr), 1e-6, 1e-6, `maxPool2dBackward ${name}`);
      const xf = makeView(shape, dtype, 'contiguous', () => rng.normal());
      ref.avgPool2d(xf, yr, p);
      nat!.avgPool2d(xf, yn, p);
      close(read(yn), read(yr), 1e-6, 1e-7, `avgPool2d ${name}`);
      ref.avgPool2dBackward(gy, gr, p);
      nat!.avgPool2dBackward(gy, gn, p);
      close(read(gn), read(gr), 1e-6, 1e-7, `avgPool2dBackward ${name}`);
    }
  }
});

test('native pooling hand values', { skip }, () => {
  const seq = (v: number[]) => { let i = 0; return () => v[i++]!; };
  const x = makeView([1, 1, 2, 4], 'float64', 'contiguous', seq([1, 5, 2, 0, 3, 4, 8, 8]));
  const y = zeros([1, 1, 1, 2], 'float64'), am = zeros([1, 1, 1, 2], 'int32');
  nat!.maxPool2d(x, y, am, pool(2, 2, 0));
  assert.deepEqual(read(y), [5, 8]);
  assert.deepEqual(read(am), [1, 6]);
  nat!.avgPool2d(x, y, pool(2, 2, 0));
  assert.deepEqual(read(y), [13 / 4, 18 / 4]);
});
