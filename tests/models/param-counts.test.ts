import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { ConvClassifier, ConvNet, CustomNet, ResidualBlock, ResidualBottleneckBlock, ResNetClassifier } from '../../src/models/index.js';
import { REPO_ROOT } from '../helpers.js';

interface Case {
  name: string;
  kind: string;
  args: Record<string, unknown>;
  numParams: number;
  params: [string, number[]][];
  buffers: [string, number[]][];
  inputShape: number[];
  outputShape: number[];
}

// Names, shapes and counts written by tools/gen_model_fixtures.py from the same models in PyTorch 1.13.
const fixture = JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/models/models.json`, 'utf8')) as { cases: Case[] };

function build(c: Case): Module {
  const a = c.args as Record<string, never>;
  switch (c.kind) {
    case 'cnn':
      return new ConvClassifier(a.inSize, a.outClasses, a.channels, a.poolEvery, a.hiddenDims, { activation: a.activation, pooling: a.pooling });
    case 'resblock':
      return new ResidualBlock(a.inChannels, a.channels, a.kernelSizes, { batchnorm: a.batchnorm, dropout: a.dropout });
    case 'bottleneck':
      return new ResidualBottleneckBlock(a.inOutChannels, a.innerChannels, a.innerKernelSizes, { batchnorm: a.batchnorm, dropout: a.dropout });
    case 'resnet':
      return new ResNetClassifier(a.inSize, a.outClasses, a.channels, a.poolEvery, a.hiddenDims, { batchnorm: a.batchnorm, dropout: a.dropout, bottleneck: a.bottleneck });
    case 'convnet':
      return new ConvNet({ inChannels: a.inChannels, numClasses: a.numClasses });
    case 'custom':
      return new CustomNet(a.inSize, a.outClasses, a.K, a.L, a.hiddenDims, { dropout: a.dropout });
    default:
      throw new Error(`unknown fixture kind ${c.kind}`);
  }
}

describe('models match PyTorch (tests/fixtures/models/models.json)', () => {
  assert.ok(fixture.cases.length >= 10);
  for (const c of fixture.cases) {
    it(`${c.name}: parameter names, shapes, order and count`, () => {
      const m = build(c);
      const params = [...m.namedParameters()].map(([n, p]) => [n, p.shape] as [string, number[]]);
      assert.deepEqual(params, c.params);
      assert.equal(m.numParameters(), c.numParams);
      const buffers = [...m.namedBuffers()].map(([n, b]) => [n, b.shape] as [string, number[]]);
      assert.deepEqual(buffers, c.buffers);
    });
  }
  // Forward shapes on the cheaper cases: the 11M-parameter ConvNet's forward takes about a minute on the
  // ref backend, so it is exercised by the documented training run (docs/experiments.md) instead.
  for (const c of fixture.cases.filter((x) => x.numParams < 1_000_000)) {
    it(`${c.name}: output shape ${JSON.stringify(c.outputShape)}`, () => {
      const m = build(c).eval();
      const y = tg.noGrad(() => m.forward(tg.zeros(c.inputShape)));
      assert.deepEqual(y.shape, c.outputShape);
    });
  }
});

describe('model input checks', () => {
  it('ConvClassifier names the shrinking feature map', () => {
    // 28 → 14 → 7 → 3 → 1 → 0: the fifth pool leaves nothing.
    assert.throws(() => new ConvClassifier([1, 28, 28], 10, Array<number>(10).fill(8), 2, [10]), /28×28 input shrinks to 0×0 after 5 of its 5 2×2 poolings/);
    assert.throws(() => new ResNetClassifier([1, 28, 28], 10, Array<number>(12).fill(8), 2, [10]), /ResNetClassifier: the 28×28 input shrinks to 0×0 after 5 of its 6/);
    assert.throws(() => new CustomNet([1, 8, 8], 10, [4, 4, 4, 4, 4], 2, []), /CustomNet: the 8×8 input shrinks to 0×0 after 4/);
  });
  it('forward names the expected input shape', () => {
    const m = new ConvClassifier([1, 28, 28], 10, [4], 1, []);
    assert.throws(() => m.forward(tg.zeros([2, 1, 32, 32])), /ConvClassifier: expected input \[N, 1, 28, 28\], got \[2, 1, 32, 32\]/);
    assert.throws(() => new ConvNet({ inChannels: 1 }).forward(tg.zeros([1, 1, 28, 28])), /ConvNet: expected input \[N, 1, 32, 32\]/);
  });
  it('ResidualBlock rejects even kernels and mismatched lists', () => {
    assert.throws(() => new ResidualBlock(3, [8, 8], [3, 4]), /kernel sizes must be odd/);
    assert.throws(() => new ResidualBlock(3, [8, 8], [3]), /2 channels need as many kernel sizes, got 1/);
  });
});
