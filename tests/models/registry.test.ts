import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../src/index.js';
import { buildModel } from '../../src/train/models.js';

const { models, nn } = tg;

test('models.register + create: the factory gets input shape, classes and options, and returns a Module', () => {
  let seen: unknown;
  models.register('test-tiny', (spec) => {
    seen = spec;
    const [c, h, w] = spec.inputShape;
    return new nn.Sequential(new nn.Flatten(), new nn.Linear(c * h * w, (spec.options['width'] as number) ?? 4), new nn.ReLU(), new nn.Linear((spec.options['width'] as number) ?? 4, spec.numClasses));
  });
  try {
    assert.ok(models.isRegistered('test-tiny'));
    assert.ok(models.registeredModels().includes('test-tiny'));
    const m = models.create('test-tiny', [1, 4, 4], 3, { width: 5 });
    assert.deepEqual(seen, { inputShape: [1, 4, 4], numClasses: 3, options: { width: 5 } });
    assert.deepEqual(m.forward(tg.zeros([2, 1, 4, 4])).shape, [2, 3]);
    assert.equal(m.numParameters(), 16 * 5 + 5 + 5 * 3 + 3);
    // train's buildModel reaches registered models by name.
    const m2 = buildModel({ model: 'test-tiny', inputShape: [1, 4, 4], numClasses: 3, options: { width: 2 } });
    assert.equal(m2.numParameters(), 16 * 2 + 2 + 2 * 3 + 3);
    assert.throws(() => models.register('test-tiny', () => new nn.ReLU()), /already registered.*replace: true/);
    models.register('test-tiny', () => new nn.ReLU(), { replace: true });
    assert.ok(models.create('test-tiny', [1, 1, 1], 1) instanceof nn.ReLU);
  } finally {
    assert.equal(models.unregister('test-tiny'), true);
  }
  assert.equal(models.isRegistered('test-tiny'), false);
});

test('models registry: clear errors for bad names, factories, shapes and unknown models', () => {
  assert.throws(() => models.register('9lives', () => new nn.ReLU()), /name must start with a letter/);
  assert.throws(() => models.register('ok', 42 as unknown as tg.models.ModelFactory), /factory must be a function/);
  models.register('test-bad', () => ({}) as unknown as tg.nn.Module);
  try {
    assert.throws(() => models.create('test-bad', [1, 2, 2], 2), /returned Object, expected an nn.Module/);
    assert.throws(() => models.create('test-bad', [2, 2], 2), /inputShape must be \[C, H, W\]/);
    assert.throws(() => models.create('test-bad', [1, 2, 2], 0), /numClasses must be a positive integer/);
  } finally {
    models.unregister('test-bad');
  }
  assert.throws(() => models.create('no-such-net', [1, 2, 2], 2), /no model registered as "no-such-net"; registered: .*resnet-classifier/);
});

test('built-in registered models: the zoo under fixed names, options checked', () => {
  for (const n of ['conv-classifier', 'resnet-classifier', 'custom-net', 'preact-convnet']) assert.ok(models.BUILTIN_MODELS.includes(n) && models.isRegistered(n), n);
  const r = models.create('resnet-classifier', [1, 8, 8], 4, { K: [4], L: 2, P: 2, H: [], batchnorm: true });
  assert.ok(r instanceof models.ResNetClassifier);
  assert.deepEqual(r.forward(tg.zeros([2, 1, 8, 8])).shape, [2, 4]);
  const c = models.create('custom-net', [1, 8, 8], 4, { K: [4], L: 1, H: [8] });
  assert.ok(c instanceof models.CustomNet);
  assert.deepEqual(c.forward(tg.zeros([1, 1, 8, 8])).shape, [1, 4]);
  assert.throws(() => models.create('conv-classifier', [1, 8, 8], 4, { K: 'wide' }), /conv-classifier: option K must be a non-empty list of positive integers, got "wide"/);
  assert.throws(() => models.create('resnet-classifier', [1, 8, 8], 4, { dropout: 1.5 }), /option dropout must be a number in \[0, 1\)/);
  assert.throws(() => models.create('preact-convnet', [1, 28, 28], 10), /input must be 32×32/);
});
