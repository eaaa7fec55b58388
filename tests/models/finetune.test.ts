import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as io from '../../src/io/index.js';
import * as models from '../../src/models/index.js';
import { finetune } from '../../src/train/finetune.js';
import { buildCnn } from '../../src/train/models.js';
import { flat } from '../helpers.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgrad-finetune-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('freeze, unfreeze, replaceModule, paramGroups', () => {
  it('freezes by prefix, glob and RegExp and leaves the rest trainable', () => {
    const m = models.resnet18({ numClasses: 3 });
    const frozen = nn.freeze(m, ['conv1', 'layer1', /^layer2\.0\.bn/]);
    assert.ok(frozen.includes('conv1.weight') && frozen.includes('layer1.1.bn2.bias') && frozen.includes('layer2.0.bn1.weight'));
    assert.ok(!frozen.includes('layer2.0.conv1.weight'));
    assert.equal(m.getParameter('layer1.0.conv1.weight').requiresGrad, false);
    assert.equal(m.getParameter('fc.weight').requiresGrad, true);
    nn.freeze(m, '*');
    nn.unfreeze(m, 'layer4.*.bn*');
    const names = [...m.namedParameters()].filter(([, p]) => p.requiresGrad).map(([n]) => n);
    assert.deepEqual(names, ['layer4.0.bn1.weight', 'layer4.0.bn1.bias', 'layer4.0.bn2.weight', 'layer4.0.bn2.bias', 'layer4.1.bn1.weight', 'layer4.1.bn1.bias', 'layer4.1.bn2.weight', 'layer4.1.bn2.bias']);
    assert.equal(nn.trainableParameters(m).length, 8);
    assert.throws(() => nn.freeze(m, 'nothing'), /freeze: no parameter of TorchvisionResNet matches nothing/);
  });

  it('replaces a head inside a Sequential and builds per-group learning rates', () => {
    const m = models.mobilenet_v2();
    const old = nn.replaceModule(m, 'classifier.1', new nn.Linear(1280, 7));
    assert.ok(old instanceof nn.Linear && old.outFeatures === 1000);
    assert.deepEqual(tg.noGrad(() => m.eval().forward(tg.zeros([1, 3, 32, 32]))).shape, [1, 7]);
    nn.freeze(m, 'features.0');
    const groups = nn.paramGroups<{ lr: number }>(m, [{ match: 'classifier', lr: 1e-2 }, { lr: 1e-4 }]);
    assert.equal(groups.length, 2);
    assert.equal(groups[0]!.lr, 1e-2);
    assert.equal(groups[0]!.params.length, 2);
    assert.equal(groups[1]!.params.length, nn.trainableParameters(m).length - 2);
    const opt = new tg.optim.Adam(groups, { lr: 1 });
    assert.deepEqual(opt.paramGroups.map((g) => g.lr), [1e-2, 1e-4]);
  });
});

describe('finetune', () => {
  it('loads a .pth CNN, trains only the new head on frozen features, and saves the model', async () => {
    const src = buildCnn([1, 28, 28], 10);
    const pth = join(dir, 'cnn.pth');
    io.saveTorch(src.stateDict(), pth);
    const out = join(dir, 'run');
    const lines: string[] = [];
    const r = await finetune({ arch: 'cnn', weights: pth, dataset: 'fashion-mnist', freeze: 'backbone', epochs: 3, lr: 1e-2, limitTrain: 300, limitTest: 200, dataDir: join(dir, 'empty'), out, log: (l) => lines.push(l) });
    assert.equal(r.trainImages, 300);
    assert.equal(r.epochs.length, 3);
    assert.equal(r.trainableParameters, 128 * 10 + 10);
    assert.ok(r.testAccuracy > 0.3, `a linear head on random conv features should beat chance (10%), got ${r.testAccuracy}`);
    assert.ok(lines.some((l) => /1290 of \d+ parameters trained \(backbone frozen\)/.test(l)), lines.join('\n'));
    const saved = io.loadStateDict(join(out, 'model.safetensors'));
    assert.deepEqual(flat(saved.get('3.weight')!), flat(src.stateDict().get('3.weight')!), 'the frozen backbone is unchanged');
    assert.notDeepEqual(flat(saved.get('9.weight')!), flat(src.stateDict().get('9.weight')!));
    assert.ok(existsSync(join(out, 'finetune.json')));
    assert.equal((JSON.parse(readFileSync(join(out, 'finetune.json'), 'utf8')) as { result: { testAccuracy: number } }).result.testAccuracy, r.testAccuracy);
  });

  it('fine-tunes a whole resnet18 (grayscale repeated to 3 channels, resized) with two learning rates', async () => {
    tg.manualSeed(1);
    const w = join(dir, 'r18.safetensors');
    io.saveStateDict(w, models.resnet18());
    const r = await finetune({ arch: 'resnet18', weights: w, dataset: 'fashion-mnist', freeze: 'none', epochs: 1, size: 32, limitTrain: 64, limitTest: 32, batchSize: 32, dataDir: join(dir, 'empty') });
    assert.equal(r.trainableParameters, r.totalParameters);
    assert.ok(Number.isFinite(r.epochs[0]!.trainLoss));
    const f = await finetune({ arch: 'resnet18', weights: w, dataset: 'fashion-mnist', freeze: 'backbone', epochs: 2, size: 32, limitTrain: 64, limitTest: 32, dataDir: join(dir, 'empty') });
    assert.equal(f.trainableParameters, 512 * 10 + 10);
    assert.equal(f.epochs.length, 2);
    await assert.rejects(finetune({ arch: 'cnn', dataset: 'cifar10', freeze: 'none', epochs: 1, dataDir: join(dir, 'empty') }), /cifar|CIFAR|not found|missing/i);
  });
});
