// toString() against the strings PyTorch 1.13 prints for the same values (tests/fixtures/ops/format.json).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { REPO_ROOT } from '../helpers.js';

interface FormatCase {
  name: string;
  dtype: tg.DType;
  shape: number[];
  values: (number | boolean | string)[];
  negzero: number[];
  text: string;
}

const cases = (JSON.parse(readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ops', 'format.json'), 'utf8')) as { cases: FormatCase[] }).cases;

/** PyTorch's text with tsgrad's dtype names (torch.float64 -> float64). */
function expectedText(c: FormatCase): string {
  return c.text.replace(/torch\.(float64|float32|int32|bool)/g, '$1');
}

function build(c: FormatCase): tg.Tensor {
  const num = c.values.map((v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : Number(v)));
  const store = c.dtype === 'int32' ? Int32Array.from(num) : c.dtype === 'bool' ? Uint8Array.from(num) : Float64Array.from(num);
  for (const i of c.negzero) (store as Float64Array)[i] = -0;
  return tg.tensor(store, { dtype: c.dtype, shape: c.shape });
}

describe('toString prints like PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      const t = build(c);
      // tsgrad also names the shape of summarized (abbreviated) tensors; PyTorch does not.
      const got = t.toString().replace(/,\s+shape=\[[\d, ]+\]/, '');
      assert.equal(got, expectedText(c));
    });
  }

  it('summarized tensors also show their shape', () => {
    const t = tg.arange(2000).float().div(3);
    assert.match(t.toString(), /\],?\s+shape=\[2000\]\)$/);
  });

  it('shows requiresGrad and the gradient function', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    assert.equal(x.toString(), 'tensor([1., 2.], requiresGrad=true)');
    assert.equal(x.mul(2).toString(), 'tensor([2., 4.], gradFn=<mul>)');
    assert.equal(String(x.detach()), 'tensor([1., 2.])');
  });

  it('prints non-contiguous views in logical order', () => {
    const x = tg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'int32' });
    assert.equal(x.t().toString(), 'tensor([[1, 4],\n        [2, 5],\n        [3, 6]], dtype=int32)');
    assert.equal(x.slice(1, 0, 3, 2).toString(), 'tensor([[1, 3],\n        [4, 6]], dtype=int32)');
  });
});
