import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { DataLoader, Subset, TensorDataset, defaultCollate, randomSplit, type Dataset } from '../../src/data/index.js';
import { assertClose } from '../helpers.js';

/** x[i] = [[10i, 10i+1], [10i+2, 10i+3]], y[i] = i: every sample says which index it came from. */
function indexed(n: number): TensorDataset<[tg.Tensor, tg.Tensor]> {
  const x = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) for (let k = 0; k < 4; k++) x[i * 4 + k] = 10 * i + k;
  return new TensorDataset(tg.tensor(x, { shape: [n, 2, 2] }), tg.arange(n));
}
const ids = (y: tg.Tensor): number[] => Array.from(y.toTypedArray());

describe('TensorDataset, Subset, randomSplit', () => {
  it('TensorDataset.get returns row i of each tensor and checks the sizes', () => {
    const ds = indexed(5);
    assert.equal(ds.length, 5);
    const [x, y] = ds.get(3);
    assert.deepEqual(x.toArray(), [[30, 31], [32, 33]]);
    assert.equal(y.item(), 3);
    assert.throws(() => ds.get(5), /index 5 is out of range for a dataset of length 5/);
    assert.throws(() => new TensorDataset(tg.zeros([3, 2]), tg.zeros([4])), /tensor 1 has shape \[4\] but tensor 0 has \[3,2\]/);
  });

  it('Subset maps indices, also for whole batches', () => {
    const s = new Subset(indexed(10), [7, 2, 9]);
    assert.equal(s.length, 3);
    assert.equal(s.get(0)[1].item(), 7);
    const [xb, yb] = (s as unknown as { getBatch(i: Int32Array): tg.Tensor[] }).getBatch(Int32Array.from([2, 0]));
    assert.deepEqual(ids(yb!), [9, 7]);
    assert.deepEqual(xb!.toArray(), [[[90, 91], [92, 93]], [[70, 71], [72, 73]]]);
    assert.throws(() => new Subset(indexed(3), [0, 3]), /Subset: index 3 is out of range for a dataset of length 3/);
  });

  it('randomSplit by counts and by fractions (PyTorch rounding) gives disjoint covering subsets, seeded', () => {
    const ds = indexed(11);
    const parts = randomSplit(ds, [0.5, 0.3, 0.2], new tg.Generator(3));
    // floor(5.5)=5, floor(3.3)=3, floor(2.2)=2; the one left over goes to the first subset.
    assert.deepEqual(parts.map((p) => p.length), [6, 3, 2]);
    const all = parts.flatMap((p) => Array.from({ length: p.length }, (_, i) => p.get(i)[1].item()));
    assert.deepEqual([...all].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const again = randomSplit(ds, [6, 3, 2], new tg.Generator(3)).flatMap((p) => Array.from(p.indices));
    assert.deepEqual(again, all);
    assert.deepEqual(all, Array.from(new tg.Generator(3).permutation(11)));
    assert.notDeepEqual(randomSplit(ds, [6, 5], new tg.Generator(4)).flatMap((p) => Array.from(p.indices)), all);
    assert.throws(() => randomSplit(ds, [5, 5]), /lengths \[5, 5\] must be integers summing to the dataset length 11/);
  });
});

describe('DataLoader', () => {
  it('batches in order, with a short last batch or dropLast', () => {
    const ds = indexed(10);
    const dl = new DataLoader(ds, { batchSize: 4 });
    assert.equal(dl.length, 3);
    const batches = [...dl];
    assert.deepEqual(batches.map(([, y]) => ids(y)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    assert.deepEqual(batches[2]![0].shape, [2, 2, 2]);
    assert.deepEqual(batches[2]![0].toArray(), [[[80, 81], [82, 83]], [[90, 91], [92, 93]]]);
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    assert.equal(dropped.length, 2);
    assert.deepEqual([...dropped].map(([, y]) => ids(y)), [[0, 1, 2, 3], [4, 5, 6, 7]]);
    assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  });

  it('shuffles with the seeded generator: a fresh permutation each epoch, the same sequence for the same seed', () => {
    const ds = indexed(13);
    const epochs = (seed: number): number[][] => {
      const dl = new DataLoader(ds, { batchSize: 5, shuffle: true, generator: new tg.Generator(seed) });
      return [0, 1, 2].map(() => [...dl].flatMap(([, y]) => ids(y)));
    };
    const a = epochs(42);
    const g = new tg.Generator(42);
    for (const e of a) assert.deepEqual(e, Array.from(g.permutation(13)));
    assert.notDeepEqual(a[0], a[1]);
    assert.deepEqual(epochs(42), a);
    assert.notDeepEqual(epochs(43)[0], a[0]);
    // dropLast with shuffle drops the tail of the permutation.
    const dl = new DataLoader(ds, { batchSize: 5, shuffle: true, dropLast: true, generator: new tg.Generator(42) });
    const seen = [...dl].map(([, y]) => ids(y));
    assert.deepEqual(seen, [a[0]!.slice(0, 5), a[0]!.slice(5, 10)]);
  });

  it('the gather fast path equals sample-by-sample collation, also for non-contiguous and grad tensors', () => {
    const base = tg.arange(60).reshape([5, 3, 4]).to('float32');
    const nonContig = base.transpose(1, 2); // [5,4,3] view
    const ds = new TensorDataset(nonContig, tg.arange(5));
    const fast = [...new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new tg.Generator(1) })];
    const slow = [...new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new tg.Generator(1), collate: (s: tg.Tensor[][]) => defaultCollate(s) })];
    assert.equal(fast.length, 2);
    for (let b = 0; b < 2; b++) {
      assertClose(fast[b]![0], slow[b]![0]);
      assert.deepEqual(ids(fast[b]![1]), ids(slow[b]![1]));
      // Sample i of the batch is base[i] transposed: element [j,k] = 12 i + 4 k + j.
      const yb = ids(fast[b]![1]);
      const xb = fast[b]![0].toArray() as number[][][];
      yb.forEach((i, r) => assert.deepEqual(xb[r], [0, 1, 2, 3].map((j) => [0, 1, 2].map((k) => 12 * i + 4 * k + j))));
    }
    // Gradients flow through the batch gather (indexSelect) to a tensor that requires grad.
    const w = tg.ones([4, 2], { requiresGrad: true });
    const picked = new DataLoader(new TensorDataset(w), { batchSize: 3 });
    for (const [x] of picked) x.mul(2).sum().backward();
    assertClose(w.grad!, [[2, 2], [2, 2], [2, 2], [2, 2]]);
  });

  it('collates plain datasets of objects, arrays and numbers, and iterates with for await', async () => {
    const ds: Dataset<{ x: number[]; y: number; name: string }> = { length: 5, get: (i) => ({ x: [i, i / 2], y: i % 3, name: `s${i}` }) };
    const dl = new DataLoader(ds, { batchSize: 2 });
    const got: { x: tg.Tensor[]; y: tg.Tensor; name: string[] }[] = [];
    for await (const b of dl) got.push(b);
    assert.equal(got.length, 3);
    assert.equal(got[0]!.y.dtype, 'int32');
    assert.deepEqual(ids(got[1]!.y), [2, 0]);
    assert.equal(got[1]!.x[1]!.dtype, 'float32');
    assert.deepEqual(ids(got[1]!.x[1]!), [1, 1.5]);
    assert.deepEqual(ids(got[2]!.x[0]!), [4]);
    assert.deepEqual(got[2]!.name, ['s4']);
    assert.throws(() => defaultCollate([[1, 2], [3]]), /sample is an array of length 2 in sample 0 but not in every sample/);
  });

  it('applies a batch transform to the inputs only', () => {
    const dl = new DataLoader(indexed(3), { batchSize: 3, transform: (x) => x.mul(-1) });
    const [[x, y]] = [...dl] as [[tg.Tensor, tg.Tensor]];
    assert.deepEqual(x.toArray(), [[[-0, -1], [-2, -3]], [[-10, -11], [-12, -13]], [[-20, -21], [-22, -23]]]);
    assert.deepEqual(ids(y), [0, 1, 2]);
  });
});
