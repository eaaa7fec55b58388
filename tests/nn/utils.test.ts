import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose } from '../helpers.js';
import { T, fixture, type TJ } from './fixtures.js';

interface ClipCase {
  name: string;
  kind: 'norm' | 'value';
  arg: number;
  normType: number | 'inf';
  grads: TJ[];
  clipped: TJ[];
  total: number | null;
}

describe('gradient clipping matches PyTorch', () => {
  for (const c of fixture<{ clip: ClipCase[] }>('optim.json').clip) {
    it(c.name, () => {
      const ps = c.grads.map((g) => {
        const p = tg.zeros(g.shape, { dtype: 'float64', requiresGrad: true });
        p.grad = T(g);
        return p;
      });
      if (c.kind === 'norm') {
        const total = nn.clipGradNorm_(ps, c.arg, { normType: c.normType === 'inf' ? Infinity : c.normType });
        assert.ok(Math.abs(total - c.total!) < 1e-12, `total ${total} vs ${c.total}`);
      } else nn.clipGradValue_(ps, c.arg);
      ps.forEach((p, i) => assertClose(p.grad!, T(c.clipped[i]!), { atol: 1e-14, rtol: 1e-12 }));
    });
  }

  it('skips parameters without gradients and can refuse non-finite norms', () => {
    const a = tg.zeros([2], { requiresGrad: true });
    const b = tg.zeros([2], { requiresGrad: true });
    b.grad = tg.tensor([3, 4]);
    assert.equal(nn.clipGradNorm_([a, b], 1), 5);
    assertClose(b.grad, [0.6, 0.8], { atol: 1e-6 });
    b.grad = tg.tensor([NaN, 1]);
    assert.throws(() => nn.clipGradNorm_([b], 1, { errorIfNonfinite: true }), /total norm of order 2 of the gradients is NaN/);
  });
});
