import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivationOp } from '../../src/backend/backend.js';
import type { DType } from '../../src/core/dtype.js';
import { Rng, close, makeView, nat, read, ref, skip, tol, zeros, type Layout } from './util.js';

const FLOATS: DType[] = ['float32', 'float64'];
const LAYOUTS: Layout[] = ['contiguous', 'padded', 'transposed', 'broadcast'];
const ACTIVATIONS: ActivationOp[] = ['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'];

test('native activationBackward matches ref on every op, dtype and layout (g, x and y strided independently)', { skip }, () => {
  const rng = new Rng(81);
  const shapes = [[], [1], [7], [8], [33, 5], [2, 65], [4, 3, 5, 7], [200, 100]];
  for (const dtype of FLOATS) {
    for (const op of ACTIVATIONS) {
      for (const [si, shape] of shapes.entries()) {
        const g = makeView(shape, dtype, LAYOUTS[si % 4]!, () => rng.normal());
        const x = makeView(shape, dtype, LAYOUTS[(si + 1) % 4]!, () => (rng.next() < 0.1 ? 0 : rng.normal()));
        // y is read as the forward's output; any values exercise the formula.
        const y = makeView(shape, dtype, LAYOUTS[(si + 2) % 4]!, () => rng.normal());
        const a = zeros(shape, dtype), b = zeros(shape, dtype);
        ref.activationBackward(op, g, x, y, a, 0.3);
        nat!.activationBackward(op, g, x, y, b, 0.3);
        const t = tol(dtype);
        close(read(b), read(a), t.rtol, t.atol, `activationBackward ${op} ${dtype} ${JSON.stringify(shape)}`);
      }
    }
  }
});

test('activationBackward hand values: relu by the output, leakyRelu and elu by the input', () => {
  for (const be of nat ? [ref, nat] : [ref]) {
    const vals = (v: number[]) => { let i = 0; return () => v[i++]!; };
    const g = makeView([4], 'float32', 'contiguous', vals([1, 2, 3, 4]));
    const x = makeView([4], 'float32', 'contiguous', vals([-1, 0, 0.5, 2]));
    const y = makeView([4], 'float32', 'contiguous', vals([-0.5, 0, 0.5, 2]));
    const out = zeros([4], 'float32');
    be.activationBackward('relu', g, x, y, out);
    assert.deepEqual(read(out), [0, 0, 3, 4], `relu ${be.name}`);
    be.activationBackward('leakyRelu', g, x, y, out, 0.5);
    assert.deepEqual(read(out), [0.5, 1, 3, 4], `leakyRelu ${be.name}`);
    be.activationBackward('elu', g, x, y, out, 1);
    assert.deepEqual(read(out), [0.5, 2, 3, 4], `elu ${be.name}`);
    be.activationBackward('tanh', g, x, y, out);
    assert.deepEqual(read(out), [0.75, 2, 2.25, -12], `tanh ${be.name}`);
  }
});

/** Softmax inputs: normal values, with a few rows holding NaN or infinities when `special`. */
function logits(rng: Rng, special: boolean): () => number {
  return () => {
    if (special && rng.next() < 0.05) return [NaN, Infinity, -Infinity][rng.int(3)]!;
    return rng.normal() * 4;
  };
}

test('native softmax / logSoftmax and their gradients match ref along every dim and layout', { skip }, () => {
  const rng = new Rng(82);
  const cases: [number[], number][] = [[[1], 0], [[10], 0], [[200, 10], 1], [[7, 8], 1], [[3, 17], 1], [[17, 3], 0], [[4, 5, 6], 1], [[2, 3, 40], 2], [[6, 300], 1]];
  for (const dtype of FLOATS) {
    for (const [ci, [shape, dim]] of cases.entries()) {
      for (const log of [false, true]) {
        const layout = LAYOUTS[ci % 4]!;
        const what = `${log ? 'logSoftmax' : 'softmax'} ${dtype} ${JSON.stringify(shape)} dim ${dim} ${layout}`;
        const x = makeView(shape, dtype, layout, logits(rng, ci % 3 === 2));
        const a = zeros(shape, dtype), b = zeros(shape, dtype);
        ref.softmax(x, dim, log, a);
        nat!.softmax(x, dim, log, b);
        const t = tol(dtype);
        close(read(b), read(a), t.rtol * 4, t.atol * 4, what);
        const g = makeView(shape, dtype, LAYOUTS[(ci + 1) % 4]!, () => rng.normal());
        const ga = zeros(shape, dtype), gb = zeros(shape, dtype);
        ref.softmaxBackward(g, a, dim, log, ga);
        nat!.softmaxBackward(g, a, dim, log, gb);
        close(read(gb), read(ga), t.rtol * 4, t.atol * 40, `${what} backward`);
      }
    }
  }
});

test('softmax kernels by hand: a row sums to one, log-softmax of a uniform row, a row holding +Infinity', () => {
  for (const be of nat ? [ref, nat] : [ref]) {
    const vals = (v: number[]) => { let i = 0; return () => v[i++]!; };
    const x = makeView([2, 3], 'float64', 'contiguous', vals([1, 2, 3, 5, 5, 5]));
    const out = zeros([2, 3], 'float64');
    be.softmax(x, 1, false, out);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const s = e[0]! + e[1]! + e[2]!;
    close(read(out), [e[0]! / s, e[1]! / s, 1 / s, 1 / 3, 1 / 3, 1 / 3], 1e-14, 1e-15, `softmax ${be.name}`);
    be.softmax(x, 1, true, out);
    close(read(out).slice(3), [-Math.log(3), -Math.log(3), -Math.log(3)], 1e-14, 1e-15, `logSoftmax ${be.name}`);
    // The gradient of log-softmax summed over a row vanishes: g = 1 everywhere gives 1 − 3·p.
    const g = makeView([2, 3], 'float64', 'contiguous', () => 1);
    const gx = zeros([2, 3], 'float64');
    be.softmaxBackward(g, out, 1, true, gx);
    close(read(gx).slice(3), [0, 0, 0], 0, 1e-15, `logSoftmax backward ${be.name}`);
    // An infinite max shifts by 0, as the op's definition says: inf − log(inf) is NaN, the rest −inf.
    const xi = makeView([1, 3], 'float32', 'contiguous', vals([Infinity, 1, 2]));
    const oi = zeros([1, 3], 'float32');
    be.softmax(xi, 1, true, oi);
    assert.deepEqual(read(oi), [NaN, -Infinity, -Infinity], `logSoftmax of +inf ${be.name}`);
  }
});
