import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tg from '../../src/index.js';
import * as io from '../../src/io/index.js';
import * as models from '../../src/models/index.js';
import { REPO_ROOT, assertClose, flat } from '../helpers.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgrad-weights-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

// Port 9 (discard) on localhost: nothing listens, so the "download" fails at once, as offline.
const OFFLINE = 'http://127.0.0.1:9/models/';

function entryFor(file: string): models.WeightsEntry {
  return { ...models.weightsEntry('resnet18', 'IMAGENET1K_V1'), url: OFFLINE + file, sha256Prefix: /-([0-9a-f]+)\.pth$/.exec(file)![1]! };
}

describe('pretrained weights', () => {
  it('knows torchvision\'s official files and hash prefixes', () => {
    const e = models.weightsEntry('resnet18', 'IMAGENET1K_V1');
    assert.equal(e.url, 'https://download.pytorch.org/models/resnet18-f37072fd.pth');
    assert.equal(e.sha256Prefix, 'f37072fd');
    assert.equal(models.weightsEntry('resnet50', 'DEFAULT').url, 'https://download.pytorch.org/models/resnet50-11ad3fa6.pth');
    assert.throws(() => models.weightsEntry('vgg11_bn', 'IMAGENET1K_V2'), /vgg11_bn has no weights named IMAGENET1K_V2 \(available: IMAGENET1K_V1, DEFAULT\)/);
    assert.equal(models.IMAGENET_CLASSES.length, 1000);
    assert.equal(models.IMAGENET_CLASSES[0], 'tench');
  });

  it('caches under <data dir>/weights ($TSGRAD_DATA)', () => {
    const prev = process.env['TSGRAD_DATA'];
    process.env['TSGRAD_DATA'] = dir;
    try {
      assert.equal(models.weightsCacheDir(), join(dir, 'weights'));
    } finally {
      if (prev === undefined) delete process.env['TSGRAD_DATA'];
      else process.env['TSGRAD_DATA'] = prev;
    }
  });

  it('offline, says which file to place where', async () => {
    const cache = join(dir, 'offline');
    await assert.rejects(models.fetchWeights(entryFor('resnet18-0123abcd.pth'), { cacheDir: cache }), (e: Error) => {
      assert.ok(e instanceof models.WeightsError);
      assert.match(e.message, /could not download http:\/\/127\.0\.0\.1:9\/models\/resnet18-0123abcd\.pth/);
      assert.ok(e.message.includes(`place it at ${join(cache, 'resnet18-0123abcd.pth')} (its sha256 must start with 0123abcd)`), e.message);
      return true;
    });
    await assert.rejects(models.resnet18({ weights: 'IMAGENET1K_V1', cacheDir: cache, download: false }), /resnet18-f37072fd\.pth is not in the cache and downloading is off\. Download https:\/\/download\.pytorch\.org\/models\/resnet18-f37072fd\.pth .* place it at .*offline\/resnet18-f37072fd\.pth/);
    await assert.rejects(models.resnet18({ weights: 'IMAGENET1K_V1', numClasses: 10 }), /pretrained weights have 1000 classes; load them, then replace the head/);
  });

  it('uses a locally placed file whose sha256 matches its name, loads it into the model, and refuses a mismatched one', async () => {
    const cache = join(dir, 'cache');
    const src = models.resnet18();
    const tmp = join(dir, 'w.pth');
    io.saveTorch(src.stateDict(), tmp);
    const prefix = createHash('sha256').update(readFileSync(tmp)).digest('hex').slice(0, 8);
    const file = `resnet18-${prefix}.pth`;
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    renameSync(tmp, join(cache, file));
    const path = await models.fetchWeights(entryFor(file), { cacheDir: cache });
    assert.equal(path, join(cache, file));
    const m = await models.resnet18({ weights: path });
    assert.deepEqual(flat(m.fc.weight), flat(src.fc.weight));
    assert.deepEqual(flat(m.stateDict().get('layer4.1.bn2.running_var')!), flat(src.stateDict().get('layer4.1.bn2.running_var')!));
    // The same bytes under the official name fail its published hash.
    writeFileSync(join(cache, 'resnet18-f37072fd.pth'), readFileSync(join(cache, file)));
    await assert.rejects(models.resnet18({ weights: 'IMAGENET1K_V1', cacheDir: cache }), /does not start with f37072fd, the hash torchvision publishes for resnet18-f37072fd\.pth/);
  });
});

describe('ImageNet preprocessing', () => {
  const r = (JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/models/torchvision.json`, 'utf8')) as { resize: Record<'input' | 'down' | 'up' | 'preprocess', number[]> }).resize;
  const img = tg.tensor(r.input, { shape: [1, 3, 10, 14] });
  it('bilinear resize equals torch interpolate (align_corners=False) down and up', () => {
    assertClose(models.resizeBilinear(img, 7, 9), r.down, { atol: 1e-6 });
    assertClose(models.resizeBilinear(img, 23, 31), r.up, { atol: 1e-6 });
  });
  it('resize shorter side, centre crop and normalise equal torchvision', () => {
    const y = models.imagenetPreprocess(img, { resize: 12, crop: 8 });
    assert.deepEqual(y.shape, [1, 3, 8, 8]);
    assertClose(y, r.preprocess, { atol: 1e-5 });
    assert.deepEqual(models.imagenetPreprocess(tg.zeros([2, 1, 28, 28]), { resize: 32, crop: 32 }).shape, [2, 3, 32, 32]);
    assert.throws(() => models.centerCrop(img, 11), /crop 11 is larger than the image 10x14/);
  });
});
