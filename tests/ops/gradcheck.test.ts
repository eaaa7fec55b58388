// Finite-difference gradchecks (float64) for every differentiable op, on every registered backend:
// all PyTorch fixture cases in three memory layouts, plus broadcast, expanded, permuted-batch,
// cast and custom-Function cases written out here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { skipFor } from '../backends.js';
import { randd, testBackends, withBackend } from '../helpers.js';
import { caseInputs, layoutApplies, loadCases, OPS } from './optable.js';

const GROUPS = ['elementwise', 'reduce', 'linalg', 'conv', 'shape', 'indexing', 'rearrange'];
// Rounds through float32, so eps = 1e-6 differences see float32 steps; gradchecked below with a larger eps.
const SKIP_FIXTURE_GRADCHECK = new Set(['castRoundTrip']);
// Sorting tied values is not differentiable there (a nudge reorders them); PyTorch's gradients for those are in the fixtures.
const NOT_DIFFERENTIABLE_CASES = new Set(['sort ties stable', 'sort ties stable descending']);

/** Positive float64 leaf (for log, sqrt, pow bases). */
function posd(shape: number[], seed: number): tg.Tensor {
  return tg.rand(shape, { dtype: 'float64', generator: new tg.Generator(seed) }).mul(1.5).add(0.5).detach().requiresGrad_();
}

/** Hand-written cases: [name, fn, inputs]. */
function extraCases(): [string, (...xs: tg.Tensor[]) => tg.Tensor, tg.Tensor[]][] {
  const idx = (v: number[], shape?: number[]) => tg.tensor(Int32Array.from(v), shape ? { shape } : {});
  return [
    ['add of expanded input', (a, b) => a.expand([3, 4]).add(b), [randd([1, 4], 1), randd([3, 4], 2)]],
    ['mul with a 0-d tensor', (a, b) => a.mul(b), [randd([2, 3], 3), randd([], 4)]],
    ['sub 0-d minus matrix', (a, b) => tg.sub(a, b), [randd([], 5), randd([2, 2], 6)]],
    ['div broadcast both ways', (a, b) => a.div(b), [randd([3, 1], 7), posd([1, 4], 8)]],
    ['pow broadcast exponent', (a, b) => a.pow(b), [posd([2, 3], 9), randd([2, 1], 10)]],
    ['where broadcast with scalar', (a) => tg.where(tg.tensor([[true], [false]]), a, 0.5), [randd([2, 3], 11)]],
    ['maximum with scalar', (a) => tg.maximum(a, 0.1), [randd([3, 3], 12)]],
    ['minimum with scalar left', (a) => tg.minimum(-0.1, a), [randd([3, 3], 13)]],
    ['clamp of transposed', (a) => a.t().clamp(-0.5, 0.5), [randd([3, 4], 14)]],
    ['reductions of expanded', (a) => a.expand([3, 4]).var(0).add(a.expand([2, 4]).std()), [randd([1, 4], 15)]],
    ['sum all keepdim of permuted', (a) => a.permute([2, 0, 1]).sum(undefined, true), [randd([2, 3, 4], 16)]],
    ['mean dims keepdim', (a) => a.mean([0, 2], true), [randd([2, 3, 4], 17)]],
    ['logsumexp all keepdim', (a) => a.logsumexp(undefined, true), [randd([2, 3], 18)]],
    ['prod all of 3-d', (a) => a.prod(), [posd([2, 2, 2], 19)]],
    ['max all keepdim', (a) => a.max(undefined, true), [randd([2, 3], 20)]],
    ['min dim 0 of transposed', (a) => a.t().min(0), [randd([3, 4], 21)]],
    ['softmax of sliced', (a) => a.slice(1, 0, 5, 2).softmax(-1), [randd([2, 5], 22)]],
    ['logSoftmax dim 0 of expanded', (a) => a.expand([3, 4]).logSoftmax(0), [randd([3, 1], 23)]],
    ['matmul with permuted batch dims', (a, b) => a.permute([1, 0, 2, 3]).matmul(b), [randd([3, 2, 2, 4], 24), randd([4, 3], 25)]],
    ['matmul batch broadcast both sides', (a, b) => a.matmul(b), [randd([2, 1, 2, 3], 26), randd([1, 3, 3, 2], 27)]],
    ['matmul of expanded batch', (a, b) => a.expand([3, 2, 4]).matmul(b), [randd([1, 2, 4], 28), randd([3, 4, 2], 29)]],
    ['matmul of sliced batch', (a, b) => a.slice(0, 0, 4, 2).matmul(b.transpose(-1, -2)), [randd([4, 2, 3], 30), randd([2, 2, 3], 31)]],
    ['linear with transposed weight', (x, w, b) => tg.linear(x, w.t(), b), [randd([2, 3], 32), randd([3, 4], 33), randd([4], 34)]],
    ['conv2d of transposed input', (x, w) => tg.conv2d(x.transpose(2, 3), w, null, { padding: 1 }), [randd([1, 2, 4, 3], 35), randd([2, 2, 2, 2], 36)]],
    ['maxPool2d of sliced input', (x) => tg.maxPool2d(x.slice(3, 0, 8, 2), 2), [randd([1, 1, 4, 8], 37)]],
    ['avgPool2d countIncludePad=false', (x) => tg.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }), [randd([1, 2, 3, 3], 38)]],
    ['globalAvgPool2d of permuted', (x) => tg.globalAvgPool2d(x.permute([0, 1, 3, 2])), [randd([2, 2, 3, 2], 39)]],
    ['reshape of transposed (copy path)', (a) => a.t().reshape([6]), [randd([2, 3], 40)]],
    ['view chain', (a) => a.view([3, 2]).view(6).mul(a.flatten()), [randd([2, 3], 41)]],
    ['squeeze, unsqueeze, squeeze', (a) => a.unsqueeze(0).squeeze(0).unsqueeze(-1).squeeze(), [randd([2, 3], 42)]],
    ['narrow negative start', (a) => a.narrow(1, -2, 2), [randd([2, 4], 43)]],
    ['select of a slice', (a) => a.slice(0, 1).select(1, -1), [randd([3, 4], 44)]],
    ['slice negative end step 2', (a) => a.slice(1, -5, -1, 2), [randd([2, 6], 45)]],
    ['the same input used twice through views', (a) => a.t().matmul(a), [randd([3, 2], 46)]],
    ['cat of a view and a leaf', (a, b) => tg.cat([a.t(), b], 0), [randd([3, 2], 47), randd([1, 3], 48)]],
    ['cat of mixed dtypes promotes', (a) => tg.cat([a, tg.ones([1, 2], { dtype: 'float32' })], 0), [randd([2, 2], 49)]],
    ['stack of transposed', (a, b) => tg.stack([a.t(), b], 1), [randd([3, 2], 50), randd([2, 3], 51)]],
    ['indexSelect of transposed, repeated index', (a) => a.t().indexSelect(0, idx([1, 1, 0])), [randd([3, 2], 52)]],
    ['gather of expanded', (a) => a.expand([3, 4]).gather(1, idx([0, 3, 3, 1, 2, 0], [3, 2])), [randd([1, 4], 53)]],
    ['scatterAdd of transposed base and src', (b, s) => b.t().scatterAdd(0, idx([0, 1, 0, 2], [2, 2]), s.t()), [randd([2, 3], 54), randd([2, 2], 55)]],
    ['to(float64) of float64 is identity', (a) => a.to('float64').exp(), [randd([3], 57)]],
    ['contiguous of expanded', (a) => a.expand([2, 3]).contiguous().mul(tg.arange(6).reshape([2, 3]).double()), [randd([1, 3], 58)]],
    ['clone then in-place under noGrad is not seen', (a) => a.clone().mul(3), [randd([2, 2], 59)]],
    ['square, abs, sign chain', (a) => a.square().add(a.abs()).add(a.sign()), [randd([5], 60)]],
    ['rounding ops have zero gradient', (a) => a.floor().add(a.ceil()).add(a.round()).add(a), [randd([4], 61)]],
    ['rsqrt, reciprocal, sqrt of positive', (a) => a.rsqrt().add(a.reciprocal()).add(a.sqrt()), [posd([4], 62)]],
    ['leakyRelu and elu of strided', (a) => a.slice(0, 0, 8, 2).leakyRelu(0.3).add(a.slice(0, 1, 8, 2).elu(0.7)), [randd([8], 63)]],
    // The output times a fixed random tensor, so the gradient is not the all-ones one that BatchNorm maps to 0.
    ['batchNormTrain with weight and bias', (x, w, b) => tg.batchNormTrain(x, w, b, 1e-5).out.mul(randd([3, 2, 2, 3], 67).detach()), [randd([3, 2, 2, 3], 64), randd([2], 65), randd([2], 66)]],
    ['batchNormTrain of permuted input, no affine', (x) => tg.batchNormTrain(x.permute([0, 1, 3, 2]), null, null, 1e-3).out.square(), [randd([2, 3, 3, 2], 68)]],
    ['batchNormTrain of 2-d input, weight only', (x, w) => tg.batchNormTrain(x, w, null, 1e-5).out.mul(randd([5, 3], 71).detach()), [randd([5, 3], 69), randd([3], 70)]],
    ['channelAffine', (x, a, d) => tg.channelAffine(x, a, d).square(), [randd([2, 3, 4], 72), randd([3], 73), randd([3], 74)]],
    ['batchNorm eval mode (running statistics)', (x, w, b) => tg.nn.functional.batchNorm(x, tg.tensor([0.1, -0.2], { dtype: 'float64' }), tg.tensor([0.5, 2], { dtype: 'float64' }), w, b).square(), [randd([2, 2, 3], 75), randd([2], 76), randd([2], 77)]],
  ];
}

/** y = x³ with a hand-written backward: a correct custom Function. */
class Cube extends tg.Function {
  static override forward(ctx: tg.FunctionCtx, x: tg.Tensor): tg.Tensor {
    ctx.saveForBackward(x);
    return x.mul(x).mul(x);
  }
  static override backward(ctx: tg.FunctionCtx, g: tg.Tensor): (tg.Tensor | null)[] {
    const [x] = ctx.savedTensors as [tg.Tensor];
    return [g.mul(x.mul(x).mul(3))];
  }
}

/** out = a·b + k with a non-tensor argument in the middle; gradient null for the constant. */
class ScaledMul extends tg.Function {
  static override forward(ctx: tg.FunctionCtx, a: tg.Tensor, k: number, b: tg.Tensor): tg.Tensor {
    ctx.saveForBackward(a, b);
    ctx.state['k'] = k;
    return a.mul(b).mul(k);
  }
  static override backward(ctx: tg.FunctionCtx, g: tg.Tensor): (tg.Tensor | null)[] {
    const [a, b] = ctx.savedTensors as [tg.Tensor, tg.Tensor];
    const k = ctx.state['k'] as number;
    return [ctx.needsInputGrad[0] ? g.mul(b).mul(k) : null, null, ctx.needsInputGrad[2] ? g.mul(a).mul(k) : null];
  }
}

for (const backend of testBackends()) {
  describe(`gradcheck [${backend}]`, () => {
    for (const group of GROUPS) {
      for (const layout of ['contiguous', 'transposed', 'strided'] as const) {
        it(`${group} fixture cases, ${layout} inputs`, { skip: skipFor(backend, `gradcheck/${group}.${layout}`, { float64: true }) }, () => {
          withBackend(backend, () => {
            const failures: string[] = [];
            let checked = 0;
            for (const c of loadCases(group)) {
              if (!layoutApplies(c, layout) || SKIP_FIXTURE_GRADCHECK.has(c.op) || NOT_DIFFERENTIABLE_CASES.has(c.name)) continue;
              const xs = caseInputs(c, 'float64', layout);
              try {
                tg.gradcheck((...ins) => OPS[c.op]!(ins, c.args), xs);
                checked++;
              } catch (e) {
                failures.push(`${c.name}: ${(e as Error).message}`);
              }
            }
            assert.deepEqual(failures, []);
            assert.ok(checked > 0);
          });
        });
      }
    }

    it('hand-written cases: broadcast, expanded, permuted, sliced, casts', { skip: skipFor(backend, 'gradcheck/hand-written', { float64: true }) }, () => {
      withBackend(backend, () => {
        const failures: string[] = [];
        // Through float32 the finite differences carry float32 rounding: a larger eps and tolerance.
        tg.gradcheck((a) => a.float().mul(2).double(), [randd([3], 56)], { eps: 1e-3, atol: 1e-3, rtol: 1e-3 });
        for (const [name, fn, xs] of extraCases()) {
          try {
            tg.gradcheck(fn, xs);
          } catch (e) {
            failures.push(`${name}: ${(e as Error).message}`);
          }
        }
        assert.deepEqual(failures, []);
      });
    });

    it('custom Functions applied with Function.apply', { skip: skipFor(backend, 'gradcheck/custom-functions', { float64: true }) }, () => {
      withBackend(backend, () => {
        assert.equal(tg.gradcheck((x) => Cube.apply(x), [randd([2, 3], 70)]), true);
        assert.equal(tg.gradcheck((x) => Cube.apply(x.t()).sum(0), [randd([2, 3], 71)]), true);
        assert.equal(tg.gradcheck((a, b) => ScaledMul.apply(a, 2.5, b), [randd([3], 72), randd([3], 73)]), true);
        // Only one side requires grad: needsInputGrad says so and the other gradient is never asked for.
        const b = randd([3], 74).detach();
        assert.equal(tg.gradcheck((a) => ScaledMul.apply(a, -1, b), [randd([3], 75)]), true);
      });
    });
  });
}
