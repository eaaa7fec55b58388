// Forward values and gradients of every op against PyTorch (tests/fixtures/ops/*.json, written by
// tools/gen_op_fixtures.py), on every registered backend, in float64 and float32, with contiguous
// and non-contiguous (transposed, step-sliced) inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { skipFor } from '../backends.js';
import { assertClose, testBackends, withBackend } from '../helpers.js';
import { caseInputs, layoutApplies, loadCases, OPS, type FixtureCase, type Layout } from './optable.js';

const GROUPS = ['elementwise', 'reduce', 'linalg', 'conv', 'shape', 'indexing', 'rearrange'];
const TOL = {
  float64: { atol: 1e-10, rtol: 1e-9 },
  float32: { atol: 2e-5, rtol: 2e-4 },
};

function runCase(c: FixtureCase, dtype: 'float32' | 'float64', layout: Layout): void {
  const op = OPS[c.op];
  assert.ok(op, `no tsgrad op for fixture op ${c.op}`);
  const xs = caseInputs(c, dtype, layout);
  const out = op(xs, c.args);
  const tol = TOL[dtype];
  assert.deepEqual(out.shape, c.output.shape, `${c.name}: output shape`);
  assert.equal(out.dtype, dtype, `${c.name}: output dtype`);
  assertClose(out, c.output.values, { ...tol, msg: `${c.name} (${dtype}, ${layout}) forward` });
  const w = tg.tensor(Float64Array.from(c.weights), { dtype, shape: c.output.shape });
  out.mul(w).sum().backward();
  xs.forEach((x, i) => {
    const expected = c.grads[i];
    if (expected === null || expected === undefined) {
      assert.equal(x.grad, null, `${c.name}: input ${i} should get no gradient`);
      return;
    }
    assert.ok(x.grad, `${c.name}: input ${i} got no gradient`);
    assert.deepEqual(x.grad.shape, x.shape, `${c.name}: grad ${i} shape`);
    assert.equal(x.grad.dtype, dtype, `${c.name}: grad ${i} dtype`);
    assertClose(x.grad, expected, { ...tol, msg: `${c.name} (${dtype}, ${layout}) grad of input ${i}` });
  });
}

/** Every differentiable op the foundation issue lists; each must have PyTorch fixture cases. */
const REQUIRED = `add sub mul div pow powScalar neg exp log sqrt rsqrt abs reciprocal square sin cos log1p expm1 maximum minimum
  clamp where relu leakyRelu elu sigmoid tanh sum mean max min prod var std logsumexp softmax logSoftmax matmul linear conv2d
  maxPool2d avgPool2d globalAvgPool2d reshape view flatten squeeze unsqueeze permute transpose t slice narrow select expand
  contiguous clone castRoundTrip cat stack indexSelect gather scatterAdd addScalar subScalar mulScalar divScalar
  pad sort topk cumsum splitCat chunkCat maskedFill maskedSelect repeat flip`.split(/\s+/);

describe('op fixture coverage', () => {
  it('every listed op has PyTorch cases, and every case has a tsgrad op', () => {
    const ops = new Set(GROUPS.flatMap((g) => loadCases(g).map((c) => c.op)));
    assert.deepEqual(REQUIRED.filter((o) => !ops.has(o)), []);
    assert.deepEqual([...ops].filter((o) => !OPS[o]), []);
  });
});

for (const backend of testBackends()) {
  describe(`op fixtures vs PyTorch [${backend}]`, () => {
    for (const group of GROUPS) {
      const cases = loadCases(group);
      it(`${group}: ${cases.length} cases cover their ops`, () => {
        assert.ok(cases.length > 5);
        for (const c of cases) assert.ok(OPS[c.op], `fixture op ${c.op} has no tsgrad entry`);
      });
      for (const dtype of ['float64', 'float32'] as const) {
        for (const layout of ['contiguous', 'transposed', 'strided'] as const) {
          it(`${group} ${dtype} ${layout}`, { skip: skipFor(backend, `fixtures/${group}.${dtype}.${layout}`, { float64: dtype === 'float64' }) }, () => {
            withBackend(backend, () => {
              // Run every case and report all failures at once.
              const failures: string[] = [];
              for (const c of cases) {
                if (!layoutApplies(c, layout)) continue;
                try {
                  runCase(c, dtype, layout);
                } catch (e) {
                  failures.push(`${c.name}: ${(e as Error).message}`);
                }
              }
              assert.deepEqual(failures, []);
            });
          });
        }
      }
    }
  });
}
