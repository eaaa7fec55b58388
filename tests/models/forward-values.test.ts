import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { ConvClassifier, CustomNet, ResidualBlock, ResidualBottleneckBlock, ResNetClassifier } from '../../src/models/index.js';
import { REPO_ROOT, assertClose } from '../helpers.js';

interface ValueCase {
  name: string;
  kind: string;
  args: Record<string, never>;
  state: Record<string, tg.NestedArray>;
  input: tg.NestedArray;
  output: tg.NestedArray;
}

// Seeded PyTorch models in eval mode (randomised batch-norm statistics), their state dicts, inputs
// and outputs in float64: written by tools/gen_model_fixtures.py.
const fixture = JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/models/values.json`, 'utf8')) as { cases: ValueCase[] };

function build(c: ValueCase): Module {
  const a = c.args;
  switch (c.kind) {
    case 'resblock':
      return new ResidualBlock(a.inChannels, a.channels, a.kernelSizes, { batchnorm: a.batchnorm });
    case 'bottleneck':
      return new ResidualBottleneckBlock(a.inOutChannels, a.innerChannels, a.innerKernelSizes, { batchnorm: a.batchnorm });
    case 'cnn':
      return new ConvClassifier(a.inSize, a.outClasses, a.channels, a.poolEvery, a.hiddenDims, { activation: a.activation, pooling: a.pooling });
    case 'resnet':
      return new ResNetClassifier(a.inSize, a.outClasses, a.channels, a.poolEvery, a.hiddenDims, { batchnorm: a.batchnorm });
    case 'custom':
      return new CustomNet(a.inSize, a.outClasses, a.K, a.L, a.hiddenDims, { dropout: a.dropout });
    default:
      throw new Error(`unknown kind ${c.kind}`);
  }
}

describe('model outputs equal PyTorch for the same weights (float64, eval mode)', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const m = build(c).to('float64');
      const state: Record<string, tg.Tensor> = {};
      for (const [k, v] of Object.entries(c.state)) state[k] = tg.tensor(v, { dtype: 'float64' });
      const r = m.loadStateDict(state, { strict: false });
      // The fixture leaves out only num_batches_tracked (unused in eval mode).
      assert.deepEqual(r.unexpectedKeys, []);
      assert.ok(r.missingKeys.every((k) => k.endsWith('num_batches_tracked')), r.missingKeys.join(', '));
      m.eval();
      const y = tg.noGrad(() => m.forward(tg.tensor(c.input, { dtype: 'float64' })));
      assertClose(y, tg.tensor(c.output, { dtype: 'float64' }), { atol: 1e-9, rtol: 1e-9, msg: c.name });
    });
  }
});
