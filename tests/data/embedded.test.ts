import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { embeddedSubsetDir, readMnist } from '../../src/data/index.js';
import { REPO_ROOT, sharedDatasets } from '../helpers.js';

describe('embedded Fashion-MNIST subset (assets/fashion-mnist-subset)', () => {
  const dir = `${REPO_ROOT}assets/fashion-mnist-subset`;

  it('is found by embeddedSubsetDir and stays small', () => {
    assert.equal(embeddedSubsetDir().replace(/\/+/g, '/'), dir.replace(/\/+/g, '/'));
    const bytes = readdirSync(dir).reduce((a, f) => a + statSync(`${dir}/${f}`).size, 0);
    assert.ok(bytes < 2 * 1024 * 1024, `${bytes} bytes`);
  });

  it('matches the md5s its README states', () => {
    const readme = readFileSync(`${dir}/README.md`, 'utf8');
    const rows = [...readme.matchAll(/\| `([^`]+\.gz)` \| (\d+) \| `([0-9a-f]{32})` \|/g)];
    assert.equal(rows.length, 4);
    for (const [, file, size, md5] of rows) {
      const b = readFileSync(`${dir}/${file}`);
      assert.equal(b.length, Number(size), file);
      assert.equal(createHash('md5').update(b).digest('hex'), md5, file);
    }
  });

  it('holds 200 training and 100 test images per class, pixel for pixel the official images it lists', () => {
    const indices = JSON.parse(readFileSync(`${dir}/indices.json`, 'utf8')) as { train: number[]; t10k: number[] };
    for (const [split, key, per] of [['train', 'train', 200], ['test', 't10k', 100]] as const) {
      const sub = readMnist(dir, split);
      const full = readMnist(`${sharedDatasets()}/fashion-mnist`, split);
      const idx = indices[key];
      assert.equal(idx.length, 10 * per);
      assert.deepEqual(sub.images.shape, [10 * per, 1, 28, 28]);
      const counts = new Array<number>(10).fill(0);
      idx.forEach((i, k) => {
        counts[sub.labels.data[k]!]!++;
        assert.equal(sub.labels.data[k], full.labels.data[i], `label ${k}`);
        const a = sub.images.data.subarray(k * 784, (k + 1) * 784);
        const b = full.images.data.subarray(i * 784, (i + 1) * 784);
        assert.ok(a.every((v, j) => v === b[j]), `${split} image ${k} differs from official image ${i}`);
      });
      assert.deepEqual(counts, new Array(10).fill(per));
      assert.ok(idx.every((v, k) => k === 0 || v > idx[k - 1]!), 'original order kept');
    }
  });
});
