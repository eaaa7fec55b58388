import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tg from '../../src/index.js';
import * as L from '../../src/layers/index.js';
import { REPO_ROOT, assertClose } from '../helpers.js';

// Reference values from PyTorch 1.13 in float64: tools/layers_fixtures.py.
type M = number[][];
interface Fixture {
  mlp_ce: { x: M; labels: number[]; params: Record<string, M | number[]>; logits: M; loss: number; grads: Record<string, M | number[]>; dx: M; lr: number; weight_decay: number; params_after_sgd: Record<string, M | number[]> };
  per_sample: { weight: M[]; bias: M };
  softmax_cce: { z: M; target: M; probs: M; loss: number; dprobs: M; dz: M };
  sigmoid_mse: { x: M; target: M; weight: M; bias: number[]; out: M; mse: number; dx_mse: M; dweight_mse: M; dbias_mse: number[]; sse: number; dx_sse: M };
}
const F = JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/layers/torch.json`, 'utf8')) as Fixture;
const t64 = (v: tg.NestedArray): tg.Tensor => tg.tensor(v, { dtype: 'float64' });
const opts = { atol: 1e-10, rtol: 1e-8 };

describe('layers vs PyTorch 1.13 (float64 fixtures)', () => {
  it('MLP with ELU and cross-entropy: logits, loss, every gradient, per-sample gradients, one SGD step with weight decay', () => {
    const f = F.mlp_ce;
    const mlp = new L.MLP(5, [4, 3], 3, { activation: 'elu', dtype: 'float64', perSampleGrads: true });
    for (const [k, p] of mlp.params()) p.copy_(t64(f.params[k]!));
    const ce = new L.CrossEntropyLoss();
    const logits = mlp.forward(t64(f.x));
    assertClose(logits, f.logits, opts);
    assertClose([ce.forward(logits, tg.tensor(f.labels, { dtype: 'int32' })).item()], [f.loss], opts);
    const dx = mlp.backward(ce.backward());
    assertClose(dx, f.dx, { ...opts, msg: 'dx' });
    for (const [k, g] of mlp.grads()) assertClose(g, f.grads[k]!, { ...opts, msg: k });
    assertClose(mlp.gradSamples().get('0.weight')!, F.per_sample.weight, { ...opts, msg: 'per-sample weight' });
    assertClose(mlp.gradSamples().get('0.bias')!, F.per_sample.bias, { ...opts, msg: 'per-sample bias' });
    new L.SGD(mlp, { lr: f.lr, weightDecay: f.weight_decay }).step();
    for (const [k, p] of mlp.params()) assertClose(p, f.params_after_sgd[k]!, { ...opts, msg: `${k} after SGD` });
  });

  it('Softmax → CategoricalCrossEntropy with soft targets', () => {
    const f = F.softmax_cce;
    const sm = new L.Softmax();
    const cce = new L.CategoricalCrossEntropy();
    const p = sm.forward(t64(f.z));
    assertClose(p, f.probs, opts);
    assertClose([cce.forward(p, t64(f.target)).item()], [f.loss], opts);
    const dp = cce.backward();
    assertClose(dp, f.dprobs, opts);
    assertClose(sm.backward(dp), f.dz, opts);
  });

  it('LeakyReLU → Tanh → Linear → Sigmoid with MSE and summed squared error', () => {
    const f = F.sigmoid_mse;
    const lin = new L.Linear(2, 1, { dtype: 'float64' });
    lin.weight.copy_(t64(f.weight));
    lin.bias!.copy_(t64(f.bias));
    const net = new L.Sequential(new L.LeakyReLU(0.2), new L.Tanh(), lin, new L.Sigmoid());
    const out = net.forward(t64(f.x));
    assertClose(out, f.out, opts);
    const mse = new L.MSELoss();
    assertClose([mse.forward(out, t64(f.target)).item()], [f.mse], opts);
    assertClose(net.backward(mse.backward()), f.dx_mse, opts);
    assertClose(lin.weightGrad, f.dweight_mse, opts);
    assertClose(lin.biasGrad!, f.dbias_mse, opts);
    const sse = new L.SumSquaredError();
    assertClose([sse.forward(out, t64(f.target)).item()], [f.sse], opts);
    assertClose(net.backward(sse.backward()), f.dx_sse, opts);
    assert.deepEqual([...net.params().keys()], ['2.weight', '2.bias']);
  });
});
