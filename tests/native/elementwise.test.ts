import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BinaryOp, UnaryOp } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { Rng, clone, close, makeView, nat, read, ref, skip, tol, zeros, type Layout } from './util.js';

const SHAPES: number[][] = [[], [0], [1], [7], [17], [3, 0, 2], [33, 5], [2, 65], [129, 3], [4, 3, 5, 7], [300, 257]];
const LAYOUTS: Layout[] = ['contiguous', 'padded', 'transposed', 'broadcast'];
const FLOATS: DType[] = ['float32', 'float64'];

const UNARY: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'reciprocal', 'square', 'sin', 'cos', 'log1p', 'expm1',
  'floor', 'ceil', 'round', 'not', 'relu', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'powScalar', 'clamp'];
const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'];

/** Values that exercise edge cases: zeros, halves (round), NaN, infinities, and normals. */
function mixed(rng: Rng): () => number {
  const special = [0, -0, 0.5, 1.5, 2.5, -0.5, NaN, Infinity, -Infinity, 1, -1, 3];
  return () => (rng.next() < 0.15 ? special[rng.int(special.length)]! : rng.normal() * 3);
}

test('native unary matches ref on every op, dtype and layout', { skip }, () => {
  const rng = new Rng(1);
  for (const dtype of FLOATS) {
    for (const op of UNARY) {
      for (const [si, shape] of SHAPES.entries()) {
        const layout = LAYOUTS[si % LAYOUTS.length]!;
        const x = makeView(shape, dtype, layout, mixed(rng));
        const [alpha, beta] = op === 'powScalar' ? [[2, 0.5, 3, -1.5][si % 4]!, 0] : op === 'clamp' ? [-1, si % 2 ? NaN : 2] : [0.2, 0];
        const a = zeros(shape, dtype), b = zeros(shape, dtype);
        ref.unary(op, x, a, alpha, beta);
        nat!.unary(op, x, b, alpha, beta);
        const t = tol(dtype);
        close(read(b), read(a), t.rtol * 2, t.atol, `unary ${op} ${dtype} ${JSON.stringify(shape)} ${layout}`);
      }
    }
  }
});

test('native unary hand values and in-place use', { skip }, () => {
  const x = makeView([6], 'float32', 'contiguous', (() => { const v = [-2, -0.5, 0, 0.5, 1.5, 2.5]; let i = 0; return () => v[i++]!; })());
  const out = zeros([6], 'float32');
  nat!.unary('relu', x, out);
  assert.deepEqual(read(out), [0, 0, 0, 0.5, 1.5, 2.5]);
  nat!.unary('round', x, out);
  assert.deepEqual(read(out), [-2, -0, 0, 0, 2, 2]);
  nat!.unary('sigmoid', x, out);
  close(read(out), [0.11920292, 0.37754067, 0.5, 0.62245933, 0.81757448, 0.92414182], 1e-6, 1e-7, 'sigmoid');
  nat!.unary('elu', x, out, 1);
  close(read(out), [-0.86466472, -0.39346934, 0, 0.5, 1.5, 2.5], 1e-6, 1e-7, 'elu');
  nat!.unary('square', x, x); // in place
  assert.deepEqual(read(x), [4, 0.25, 0, 0.25, 2.25, 6.25]);
});

test('native binary matches ref with broadcasting, strides and comparisons', { skip }, () => {
  const rng = new Rng(2);
  for (const dtype of FLOATS) {
    for (const op of BINARY) {
      for (const [si, shape] of SHAPES.entries()) {
        const la = LAYOUTS[si % LAYOUTS.length]!, lb = LAYOUTS[(si + 1) % LAYOUTS.length]!;
        const a = makeView(shape, dtype, la, mixed(rng));
        // Scalar broadcast of b (every stride 0) on some shapes: the fast path for x op scalar.
        const b = si % 3 === 0
          ? { ...makeView([], dtype, 'contiguous', mixed(rng)), shape, strides: shape.map(() => 0) }
          : makeView(shape, dtype, lb, mixed(rng));
        const outType: DType = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'].includes(op) ? 'bool' : dtype;
        const r = zeros(shape, outType), n = zeros(shape, outType);
        ref.binary(op, a, b, r);
        nat!.binary(op, a, b, n);
        const t = tol(dtype);
        close(read(n), read(r), t.rtol, t.atol, `binary ${op} ${dtype} ${JSON.stringify(shape)} ${la}/${lb}`);
      }
    }
  }
});

test('native binary hand values', { skip }, () => {
  const seq = (v: number[]) => { let i = 0; return () => v[i++]!; };
  const a = makeView([2, 3], 'float64', 'contiguous', seq([1, 2, 3, 4, 5, 6]));
  const row = { ...makeView([3], 'float64', 'contiguous', seq([10, 20, 30])), shape: [2, 3], strides: [0, 1] };
  const out = zeros([2, 3], 'float64');
  nat!.binary('add', a, row, out);
  assert.deepEqual(read(out), [11, 22, 33, 14, 25, 36]);
  nat!.binary('maximum', a, { ...makeView([], 'float64', 'contiguous', () => NaN), shape: [2, 3], strides: [0, 0] }, out);
  assert.ok(read(out).every(Number.isNaN));
  const cmp = zeros([2, 3], 'bool');
  nat!.binary('gt', a, { ...makeView([], 'float64', 'contiguous', () => 3), shape: [2, 3], strides: [0, 0] }, cmp);
  assert.deepEqual(read(cmp), [0, 0, 0, 1, 1, 1]);
});

test('native copy casts between every dtype pair over strided views', { skip }, () => {
  const rng = new Rng(3);
  const all: DType[] = ['float32', 'float64', 'int32', 'bool'];
  for (const from of all) {
    for (const to of all) {
      for (const [si, shape] of SHAPES.entries()) {
        const layout = LAYOUTS[si % LAYOUTS.length]!;
        const gen = from === 'bool' ? () => rng.int(2) : from === 'int32' ? () => rng.int(200) - 100 : mixed(rng);
        const src = makeView(shape, from, layout, gen);
        // Write into a transposed destination as well, to cover strided stores.
        const r = makeView(shape, to, 'transposed', () => 0), n = clone(r);
        ref.copy(src, r);
        nat!.copy(src, n);
        assert.deepEqual(read(n), read(r), `copy ${from}->${to} ${JSON.stringify(shape)} ${layout}`);
      }
    }
  }
  // Hand values: float -> int32 truncates toward zero, NaN -> 0; float -> bool is JS truthiness.
  const seq = [2.7, -2.7, NaN, 0, 1e10];
  let i = 0;
  const src = makeView([5], 'float64', 'contiguous', () => seq[i++]!);
  const ints = zeros([5], 'int32'), bools = zeros([5], 'bool');
  nat!.copy(src, ints);
  nat!.copy(src, bools);
  assert.deepEqual(read(ints), [2, -2, 0, 0, 1410065408]);
  assert.deepEqual(read(bools), [1, 1, 0, 0, 1]);
});

test('native fill and where match ref', { skip }, () => {
  const rng = new Rng(4);
  for (const dtype of ['float32', 'float64', 'int32', 'bool'] as DType[]) {
    for (const [si, shape] of SHAPES.entries()) {
      const layout = LAYOUTS[si % 3]!; // not broadcast: fill writes
      const r = makeView(shape, dtype, layout, () => 7), n = clone(r);
      ref.fill(r, 1.25);
      nat!.fill(n, 1.25);
      assert.deepEqual(read(n), read(r), `fill ${dtype}`);
      assert.deepEqual(Array.from(n.data), Array.from(r.data), `fill ${dtype} leaves other elements alone`);
      const cond = makeView(shape, 'bool', LAYOUTS[(si + 1) % 4]!, () => rng.int(2));
      const gen = dtype === 'bool' ? () => rng.int(2) : () => Math.round(rng.normal() * 100);
      const a = makeView(shape, dtype, LAYOUTS[(si + 2) % 4]!, gen), b = makeView(shape, dtype, LAYOUTS[(si + 3) % 4]!, gen);
      const wr = zeros(shape, dtype), wn = zeros(shape, dtype);
      ref.where(cond, a, b, wr);
      nat!.where(cond, a, b, wn);
      assert.deepEqual(read(wn), read(wr), `where ${dtype} ${JSON.stringify(shape)}`);
    }
  }
});

test('native float32 exp/sigmoid/tanh/elu (vectorised) stay within 2e-5 of ref across their range', { skip }, () => {
  // A dense sweep over [-90, 90] plus tiny magnitudes, where tanh and expm1 need their polynomials.
  const vals: number[] = [];
  for (let i = -9000; i <= 9000; i++) vals.push(i / 100);
  for (let e = -12; e <= 0; e += 0.25) vals.push(10 ** e, -(10 ** e));
  let k = 0;
  const x = makeView([vals.length], 'float32', 'contiguous', () => vals[k++]!);
  for (const op of ['exp', 'sigmoid', 'tanh', 'elu', 'expm1'] as UnaryOp[]) {
    const r = zeros([vals.length], 'float32'), n = zeros([vals.length], 'float32');
    ref.unary(op, x, r, 1.3);
    nat!.unary(op, x, n, 1.3);
    close(read(n), read(r), 2e-5, 1e-37, `unary ${op} sweep`);
  }
});
