import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { testBackends, withBackend } from '../helpers.js';

for (const backend of testBackends()) {
  describe(`NaN propagation [${backend}]`, () => {
    it('relu, leakyRelu, elu and maximum keep NaN, as PyTorch does', () => {
      withBackend(backend, () => {
        for (const dtype of ['float32', 'float64'] as const) {
          const x = tg.tensor([NaN, -1, 2], { dtype });
          const expectNaNFirst = (t: tg.Tensor, rest: number[], name: string) => {
            const a = Array.from(t.toTypedArray());
            assert.ok(Number.isNaN(a[0]), `${name} ${dtype}: NaN became ${a[0]}`);
            assert.deepEqual(a.slice(1), rest, `${name} ${dtype}`);
          };
          expectNaNFirst(tg.relu(x), [0, 2], 'relu');
          expectNaNFirst(tg.leakyRelu(x, 0.5), [-0.5, 2], 'leakyRelu');
          expectNaNFirst(tg.maximum(x, tg.zerosLike(x)), [0, 2], 'maximum');
        }
      });
    });
  });
}
