// pad, sort/topk/argsort, cumsum, split/chunk, maskedFill/maskedSelect, repeat, flip: the integer
// outputs (indices) against PyTorch, hand-written gradchecks the fixture table cannot express, and
// the errors bad arguments get. Values and gradients against PyTorch are in fixtures.test.ts ('rearrange').
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { REPO_ROOT, randd, testBackends, withBackend } from '../helpers.js';

interface IndexCase {
  name: string;
  op: 'sortIndices' | 'argsort' | 'topkIndices';
  args: { dim: number; descending?: boolean; k?: number; largest?: boolean };
  input: { shape: number[]; values: (number | 'nan')[] };
  output: { shape: number[]; values: number[] };
}

const INDEX_CASES = (JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ops', 'sort-indices.json'), 'utf8')) as { cases: IndexCase[] }).cases;

function runIndexCase(c: IndexCase, dtype: 'float32' | 'float64'): tg.Tensor {
  const x = tg.tensor(Float64Array.from(c.input.values, (v) => (v === 'nan' ? NaN : v)), { dtype, shape: c.input.shape });
  if (c.op === 'sortIndices') return x.sort(c.args.dim, { descending: c.args.descending ?? false, stable: true }).indices;
  if (c.op === 'argsort') return x.argsort(c.args.dim, c.args.descending ?? false);
  return x.topk(c.args.k!, c.args.dim, c.args.largest ?? true).indices;
}

for (const backend of testBackends()) {
  describe(`sort/topk indices vs PyTorch [${backend}]`, () => {
    it(`${INDEX_CASES.length} cases, float32 and float64`, () => {
      withBackend(backend, () => {
        assert.ok(INDEX_CASES.length >= 8);
        for (const c of INDEX_CASES) {
          for (const dtype of ['float32', 'float64'] as const) {
            const idx = runIndexCase(c, dtype);
            assert.equal(idx.dtype, 'int32', c.name);
            assert.deepEqual(idx.shape, c.output.shape, c.name);
            assert.deepEqual(Array.from(idx.toTypedArray()), c.output.values, `${c.name} (${dtype})`);
          }
        }
      });
    });

    it('gradchecks the fixture table cannot express', () => {
      withBackend(backend, () => {
        const v = randd([], 3);
        assert.ok(tg.gradcheck((x, s) => x.maskedFill(x.gt(0), s), [randd([3, 4], 1), v]), 'maskedFill with a 0-d tensor value');
        assert.ok(tg.gradcheck((x) => x.cumsum(0).cumsum(1).square(), [randd([3, 4], 2)]), 'cumsum twice');
        assert.ok(tg.gradcheck((x) => x.t().cumsum(0), [randd([3, 4], 4)]), 'cumsum of a transposed view');
        assert.ok(tg.gradcheck((x) => tg.nn.functional.pad(x.t(), [1, 1, 2, 0], 'reflect'), [randd([4, 3], 5)]), 'reflect pad of a view');
        assert.ok(tg.gradcheck((x) => x.repeat([2, 1]).flip([0, 1]).sort(1).values, [randd([2, 3], 6)]), 'repeat, flip, sort chained');
        assert.ok(tg.gradcheck((x) => tg.stack(x.chunk(2, 1), 0).mul(x.split([2, 2], 1)[0]!.sum()), [randd([2, 4], 7)]), 'chunk and split pieces reused');
        assert.ok(tg.gradcheck((x) => x.topk(1, 0).values.mul(x.topk(2, 0, false).values.sum()), [randd([5, 2], 8)]), 'topk largest and smallest');
      });
    });
  });
}

describe('rearranging ops: values and edge cases', () => {
  it('sort is stable, accepts a boolean for descending, and returns values and int32 indices', () => {
    const x = tg.tensor([3, 1, 3, 2]);
    const { values, indices } = x.sort(0, true);
    assert.deepEqual(values.toArray(), [3, 3, 2, 1]);
    assert.deepEqual(indices.toArray(), [0, 2, 3, 1]);
    assert.deepEqual(tg.argsort(x).toArray(), [1, 3, 0, 2]);
    const [v, i] = tg.sort(x);
    assert.deepEqual(v!.toArray(), [1, 2, 3, 3]);
    assert.deepEqual(i!.toArray(), [1, 3, 0, 2]);
    const [tv, ti] = x.topk(1);
    assert.deepEqual([tv!.toArray(), ti!.toArray()], [[3], [0]]);
    const ints = tg.tensor(Int32Array.from([5, -1, 3]));
    assert.deepEqual(ints.sort().values.toArray(), [-1, 3, 5]);
    assert.equal(ints.sort().values.dtype, 'int32');
  });

  it('topk of k = 0 and k = n', () => {
    const x = tg.tensor([[1, 4, 2]]);
    assert.deepEqual(x.topk(0).values.shape, [1, 0]);
    assert.deepEqual(x.topk(3).indices.toArray(), [[1, 2, 0]]);
  });

  it('cumsum of bool counts in int32; of a 0-d tensor is itself', () => {
    const b = tg.tensor([true, false, true, true]);
    assert.equal(b.cumsum(0).dtype, 'int32');
    assert.deepEqual(b.cumsum(0).toArray(), [1, 1, 2, 3]);
    assert.equal(tg.tensor(2.5).cumsum(0).item(), 2.5);
  });

  it('split and chunk return views sharing storage; chunk may give fewer pieces, like PyTorch', () => {
    const x = tg.arange(6).float();
    const parts = x.chunk(4);
    assert.deepEqual(parts.map((p) => p.shape[0]), [2, 2, 2]);
    parts[1]!.fill_(-1);
    assert.deepEqual(x.toArray(), [0, 1, -1, -1, 4, 5]);
    assert.deepEqual(x.split(4).map((p) => p.toArray()), [[0, 1, -1, -1], [4, 5]]);
  });

  it('repeat with zeros, flip of several dims, maskedSelect of nothing', () => {
    assert.deepEqual(tg.tensor([1, 2]).repeat([0, 2]).shape, [0, 4]);
    assert.deepEqual(tg.tensor([[1, 2], [3, 4]]).flip([0, 1]).toArray(), [[4, 3], [2, 1]]);
    const none = tg.tensor([1, 2]).maskedSelect(tg.tensor([false, false]));
    assert.deepEqual(none.shape, [0]);
  });

  it('pad modes on a 1-d row', () => {
    const x = tg.tensor([1, 2, 3]);
    const F = tg.nn.functional;
    assert.deepEqual(F.pad(x, [2, 1]).toArray(), [0, 0, 1, 2, 3, 0]);
    assert.deepEqual(x.pad([2, 1], 'constant', 9).toArray(), [9, 9, 1, 2, 3, 9]);
    assert.deepEqual(F.pad(x, [2, 2], 'reflect').toArray(), [3, 2, 1, 2, 3, 2, 1]);
    assert.deepEqual(F.pad(x, [2, 1], 'replicate').toArray(), [1, 1, 1, 2, 3, 3]);
    assert.deepEqual(F.pad(x, [2, 1], 'circular').toArray(), [2, 3, 1, 2, 3, 1]);
    assert.deepEqual(F.pad(x, [-1, 0]).toArray(), [2, 3]);
  });

  it('bad arguments get errors naming the op and what was expected', () => {
    const x = tg.randn([2, 3]);
    const F = tg.nn.functional;
    assert.throws(() => F.pad(x, [1]), /pad: padding must hold \[left, right\] pairs/);
    assert.throws(() => F.pad(x, [1, 1, 1, 1, 1, 1]), /at most 2 dims/);
    assert.throws(() => F.pad(x, [3, 0], 'reflect'), /'reflect' padding \(3, 0\) must be smaller than dimension 1's size 3/);
    assert.throws(() => F.pad(x, [-1, 0], 'replicate'), /non-negative padding/);
    assert.throws(() => F.pad(x, [1, 1], 'wrap' as tg.PadMode), /mode must be/);
    assert.throws(() => F.pad(x, [-2, -2]), /leaves nothing/);
    assert.throws(() => x.topk(4), /topk: k must be an integer from 0 to 3/);
    assert.throws(() => x.sort(2), /sort/);
    assert.throws(() => x.split([1, 1], 1), /split: sizes \[1, 1\] must be non-negative integers adding up to 3/);
    assert.throws(() => x.split(0), /split: size must be a positive integer/);
    assert.throws(() => x.chunk(0), /chunk: chunks must be a positive integer/);
    assert.throws(() => x.maskedFill(x.gt(0).float(), 1), /maskedFill: mask must be bool, got float32/);
    assert.throws(() => x.maskedFill(tg.tensor([[true], [false], [true]]), 1), /maskedFill: shapes \[2,3\] and \[3,1\] cannot be broadcast/);
    assert.throws(() => x.maskedFill(x.gt(0), tg.ones([2])), /0-d tensor/);
    assert.throws(() => x.maskedSelect(tg.tensor([true, false])), /maskedSelect/);
    assert.throws(() => x.repeat([2]), /repeat: got 1 repeat counts for input \[2,3\]/);
    assert.throws(() => x.repeat([1, -1]), /non-negative integers/);
    assert.throws(() => x.flip([0, 0]), /flip: dimension repeated/);
    assert.throws(() => x.cumsum(3), /cumsum/);
  });
});
