// matmul(a, b, { out }): PyTorch's out= — the product written into a given tensor, no allocation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { assertClose, randd as gradRandd, testBackends, withBackend } from '../helpers.js';

/** Seeded float64 values that do not require grad (out= refuses those). */
const randd = (shape: number[], seed = 0): tg.Tensor => gradRandd(shape, seed).detach();

for (const backend of testBackends()) {
  describe(`matmul out= [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('writes the product into out and returns it, for 2-d, batched and broadcast operands', run(() => {
      const cases: [number[], number[]][] = [[[5, 7], [7, 3]], [[2, 4, 6], [2, 6, 5]], [[3, 2, 4], [4, 6]]];
      for (const [i, [sa, sb]] of cases.entries()) {
        const a = randd(sa, 10 + i), b = randd(sb, 20 + i);
        const expected = tg.matmul(a, b);
        const out = tg.full(expected.shape, 7, { dtype: 'float64' });
        const before = out._version.value;
        const r = tg.matmul(a, b, { out });
        assert.equal(r, out, 'returns out itself');
        assert.ok(out._version.value > before, 'bumps out\'s version counter');
        assertClose(out, expected, { atol: 1e-12, msg: JSON.stringify([sa, sb]) });
      }
      // A transposed operand and an out that is a slice of a bigger buffer (offset, still contiguous).
      const a = randd([6, 4], 3).transpose(0, 1);
      const big = tg.zeros([3, 4, 4], { dtype: 'float64' });
      const out = big.select(0, 1);
      tg.matmul(a, randd([6, 4], 4), { out });
      assertClose(big.select(0, 1), tg.matmul(a, randd([6, 4], 4)), { atol: 1e-12 });
      assertClose(big.select(0, 0), tg.zeros([4, 4], { dtype: 'float64' }));
    }));

    it('refuses what out= cannot do, naming the problem', run(() => {
      const a = randd([2, 3]), b = randd([3, 4]);
      const msg = (fn: () => unknown, cls: new (...x: never[]) => Error, text: string) =>
        assert.throws(fn, (e: unknown) => e instanceof cls && (e as Error).message === text);
      msg(() => tg.matmul(a, b, { out: tg.zeros([2, 5], { dtype: 'float64' }) }), tg.ShapeError, 'matmul: out has shape [2,5] but the product of [2,3] @ [3,4] is [2,4]');
      msg(() => tg.matmul(a, b, { out: tg.zeros([2, 4]) }), tg.DTypeError, 'matmul: out is float32 but the product is float64');
      msg(() => tg.matmul(a, b, { out: tg.zeros([4, 2], { dtype: 'float64' }).transpose(0, 1) }), tg.ShapeError, 'matmul: out must be contiguous (strides [1,2] for shape [2,4])');
      msg(() => tg.matmul(gradRandd([2, 3]), b, { out: tg.zeros([2, 4], { dtype: 'float64' }) }), tg.AutogradError,
        'matmul: out= is not recorded by autograd, but an operand requires grad; call it inside noGrad() or drop out=');
      const sq = randd([3, 3]);
      msg(() => tg.matmul(sq, randd([3, 3], 1), { out: sq }), tg.ShapeError, 'matmul: out shares memory with an operand; the product would read what it overwrites');
      msg(() => tg.matmul(randd([3]), randd([3, 2]), { out: tg.zeros([2], { dtype: 'float64' }) }), tg.ShapeError, 'matmul: out= needs operands of at least 2 dims, got [3] @ [3,2]');
      // Inside noGrad an operand that requires grad is fine.
      const out = tg.zeros([2, 4], { dtype: 'float64' });
      tg.noGrad(() => tg.matmul(gradRandd([2, 3]), b, { out }));
      assertClose(out, tg.matmul(a, b), { atol: 1e-12 });
    }));
  });
}
