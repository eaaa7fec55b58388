import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import * as models from '../../src/models/index.js';
import type { Module } from '../../src/nn/module.js';
import { REPO_ROOT, assertClose, flat } from '../helpers.js';
import { fillLikeFixture, fixtureInput } from './tv-fill.js';

interface Case {
  arch: 'resnet18' | 'resnet34' | 'resnet50' | 'vgg11_bn' | 'vgg16_bn' | 'mobilenet_v2';
  fullStateDict: [string, number[]][];
  numParameters: number;
  testStateDict: [string, number[]][];
  vggHidden: number | null;
  inputShape: number[];
  logits: number[];
  logitsShape: number[];
}

// torchvision 0.14 models filled with a formula (no real weights), their names, shapes and logits:
// written by tools/gen_torch_vision_fixtures.py.
const fixture = JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/models/torchvision.json`, 'utf8')) as {
  cases: Case[];
  relu6: { x: number[]; w: number[]; y: number[]; grad: number[] };
};

function build(c: Case): Module {
  if (c.arch === 'vgg11_bn' || c.arch === 'vgg16_bn') return models[c.arch]({ hidden: c.vggHidden! });
  return models[c.arch]();
}

describe('torchvision architectures: names, shapes and logits equal torchvision 0.14 (float32)', () => {
  for (const c of fixture.cases) {
    it(c.arch, () => {
      const m = build(c);
      const sd = m.stateDict();
      const names = [...sd.keys()];
      assert.deepEqual(names, c.fullStateDict.map(([k]) => k), 'state-dict names in torchvision order');
      assert.deepEqual(names.map((k) => [k, [...sd.get(k)!.shape]]), c.testStateDict);
      if (!c.vggHidden) assert.equal(m.numParameters(), c.numParameters);
      fillLikeFixture(m);
      m.eval();
      const y = tg.noGrad(() => m.forward(fixtureInput(c.inputShape)));
      assert.deepEqual(y.shape, c.logitsShape);
      const scale = Math.max(...c.logits.map(Math.abs));
      assertClose(y, c.logits, { atol: 2e-5 * scale, rtol: 1e-4, msg: c.arch });
      const err = Math.max(...flat(y).map((v, i) => Math.abs(v - c.logits[i]!))) / scale;
      console.log(`# ${c.arch}: max |logit - torchvision| / max |logit| = ${err.toExponential(2)} (backend ${tg.getBackend().name})`);
    });
  }

  it('full-size VGG shapes follow torchvision (4096-wide classifier)', () => {
    for (const c of fixture.cases.filter((x) => x.vggHidden)) {
      const cls = c.fullStateDict.filter(([k]) => k.startsWith('classifier'));
      assert.deepEqual(cls, [['classifier.0.weight', [4096, 25088]], ['classifier.0.bias', [4096]], ['classifier.3.weight', [4096, 4096]], ['classifier.3.bias', [4096]], ['classifier.6.weight', [1000, 4096]], ['classifier.6.bias', [1000]]]);
      assert.deepEqual(c.fullStateDict.filter(([k]) => !k.startsWith('classifier')), c.testStateDict.filter(([k]) => !k.startsWith('classifier')));
    }
  });

  it('refuses a non-RGB input with a clear error', () => {
    assert.throws(() => models.resnet18({ numClasses: 2 }).forward(tg.zeros([1, 1, 32, 32])), /resnet18: expected input \[N, 3, H, W\], got \[1,1,32,32\]/);
  });
});

describe('ReLU6', () => {
  it('equals PyTorch (values and gradient, float64) and passes gradcheck', () => {
    const r = fixture.relu6;
    const x = tg.tensor(r.x, { dtype: 'float64', requiresGrad: true });
    const y = new tg.nn.ReLU6().forward(x);
    assertClose(y, r.y, { atol: 1e-12, rtol: 0 });
    y.mul(tg.tensor(r.w, { dtype: 'float64' })).sum().backward();
    assertClose(x.grad!, r.grad, { atol: 1e-12, rtol: 0 });
    // Away from the kinks at 0 and 6, where the derivative is undefined.
    const z = tg.tensor([-1.3, 0.4, 2.2, 5.1, 7.7, 3.3], { dtype: 'float64', requiresGrad: true });
    assert.equal(tg.gradcheck((a) => new tg.nn.ReLU6().forward(a), [z]), true);
  });
});
