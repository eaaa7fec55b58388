import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as tg from '../../src/index.js';
import { readMnist, readCifar10, DataError, loadDataset, NORMALIZATION } from '../../src/data/index.js';
import { REPO_ROOT, sharedDatasets } from '../helpers.js';

interface ImageStats { label: number; byteSum: number; row14: number[]; argmaxFlat: number }
interface SplitStats { count: number; labelCounts: number[]; first20Labels: number[]; meanPixel: number; stdPixel: number; images: Record<string, ImageStats> }
const STATS = JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/data/idx-stats.json`, 'utf8')) as Record<string, SplitStats>;

function labelCounts(labels: tg.Tensor): number[] {
  const c = new Array<number>(10).fill(0);
  for (const v of labels.toTypedArray()) c[v]!++;
  return c;
}

/** Checks a loaded split against the statistics Python computed from the raw bytes. */
function checkAgainstStats(images: tg.Tensor, labels: tg.Tensor, s: SplitStats): void {
  assert.deepEqual(images.shape, [s.count, 1, 28, 28]);
  assert.equal(images.dtype, 'float32');
  assert.deepEqual(labels.shape, [s.count]);
  assert.equal(labels.dtype, 'int32');
  assert.deepEqual(labelCounts(labels), s.labelCounts);
  assert.deepEqual(Array.from(labels.data.subarray(0, 20)), s.first20Labels);
  const px = images.data;
  let total = 0;
  for (let i = 0; i < px.length; i++) total += px[i]!;
  assert.ok(Math.abs(total / px.length - s.meanPixel) < 1e-6, `mean pixel ${total / px.length}, expected ${s.meanPixel}`);
  for (const [k, im] of Object.entries(s.images)) {
    const i = Number(k);
    assert.equal(labels.data[i], im.label, `label of image ${i}`);
    const img = px.subarray(i * 784, (i + 1) * 784);
    const row = Array.from(img.subarray(14 * 28, 15 * 28), (v) => Math.round(v * 255));
    assert.deepEqual(row, im.row14, `row 14 of image ${i}`);
    for (let j = 0; j < 28; j++) assert.equal(img[14 * 28 + j], Math.fround(im.row14[j]! / 255));
    let sum = 0;
    for (const v of img) sum += Math.round(v * 255);
    assert.equal(sum, im.byteSum, `pixel sum of image ${i}`);
  }
}

describe('readMnist on the real files', () => {
  for (const ds of ['mnist', 'fashion-mnist']) {
    for (const split of ['train', 'test'] as const) {
      it(`${ds} ${split}: counts, label statistics and pixel values match the raw bytes`, () => {
        const { images, labels } = readMnist(`${sharedDatasets()}/${ds}`, split);
        checkAgainstStats(images, labels, STATS[`${ds}/${split}`]!);
      });
    }
  }

  it('NORMALIZATION holds the training sets\' pixel mean and std', () => {
    for (const ds of ['mnist', 'fashion-mnist'] as const) {
      const s = STATS[`${ds}/train`]!;
      assert.ok(Math.abs(NORMALIZATION[ds].mean[0]! - s.meanPixel) < 1e-4, `${ds} mean ${s.meanPixel}`);
      assert.ok(Math.abs(NORMALIZATION[ds].std[0]! - s.stdPixel) < 1e-4, `${ds} std ${s.stdPixel}`);
    }
  });

  it('MNIST train has the published label counts (5923 zeros ... 5949 nines)', () => {
    // Published counts of the MNIST training set, independent of any reader.
    assert.deepEqual(STATS['mnist/train']!.labelCounts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(labelCounts(readMnist(`${sharedDatasets()}/mnist`, 'train').labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
  });
});

describe('readMnist on uncompressed and broken files', () => {
  let dir = '';
  const src = (f: string): string => `${sharedDatasets()}/mnist/${f}`;
  const testLabelsRaw = (): Buffer => gunzipSync(readFileSync(src('t10k-labels-idx1-ubyte.gz')));
  const testImagesRaw = (): Buffer => gunzipSync(readFileSync(src('t10k-images-idx3-ubyte.gz')));
  before(() => {
    dir = mkdtempSync(`${tmpdir()}/tsgrad-data-`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh folder holding the given files. */
  function folder(name: string, files: Record<string, Uint8Array>): string {
    const d = `${dir}/${name}`;
    mkdirSync(d);
    for (const [f, b] of Object.entries(files)) writeFileSync(`${d}/${f}`, b);
    return d;
  }

  it('reads uncompressed IDX files (detected by the missing gzip magic) the same as gzipped ones', () => {
    const d = folder('plain', { 't10k-images-idx3-ubyte': testImagesRaw(), 't10k-labels-idx1-ubyte': testLabelsRaw() });
    const { images, labels } = readMnist(d, 'test');
    checkAgainstStats(images, labels, STATS['mnist/test']!);
  });

  it('reads a gzipped file even without the .gz suffix', () => {
    const d = folder('gz-noext', { 't10k-images-idx3-ubyte': readFileSync(src('t10k-images-idx3-ubyte.gz')), 't10k-labels-idx1-ubyte': testLabelsRaw() });
    assert.deepEqual(readMnist(d, 'test').images.shape, [10000, 1, 28, 28]);
  });

  it('names the file and the byte counts of a truncated file', () => {
    const d = folder('trunc', { 't10k-images-idx3-ubyte': testImagesRaw().subarray(0, 16 + 784 * 100 + 5), 't10k-labels-idx1-ubyte': testLabelsRaw() });
    assert.throws(() => readMnist(d, 'test'), (e: Error) => e instanceof DataError && e.message.includes(`${d}/t10k-images-idx3-ubyte`) && /truncated: the header says 10000x28x28 = 7840000 values, so 7840016 bytes, but the file has 78421/.test(e.message));
  });

  it('reports a header count that disagrees with the bytes (file too long)', () => {
    const raw = Buffer.from(testLabelsRaw());
    raw.writeUInt32BE(9999, 4);
    const d = folder('count', { 't10k-images-idx3-ubyte': testImagesRaw(), 't10k-labels-idx1-ubyte': raw });
    assert.throws(() => readMnist(d, 'test'), /t10k-labels-idx1-ubyte: too long: the header says 9999 = 9999 values, so 10007 bytes, but the file has 10008/);
  });

  it('reports a bad magic number (labels where images belong)', () => {
    const d = folder('magic', { 't10k-images-idx3-ubyte': testLabelsRaw(), 't10k-labels-idx1-ubyte': testLabelsRaw() });
    assert.throws(() => readMnist(d, 'test'), /t10k-images-idx3-ubyte: bad magic number 0x00000801, expected 0x00000803/);
  });

  it('reports image and label counts that differ', () => {
    const lbl = testLabelsRaw();
    const short = Buffer.concat([lbl.subarray(0, 8), lbl.subarray(8, 108)]);
    short.writeUInt32BE(100, 4);
    const d = folder('mismatch', { 't10k-images-idx3-ubyte': testImagesRaw(), 't10k-labels-idx1-ubyte': short });
    assert.throws(() => readMnist(d, 'test'), /holds 10000 images but .*t10k-labels-idx1-ubyte holds 100 labels/);
  });

  it('reports bad gzip data: corrupt bytes and a truncated stream', () => {
    const gz = readFileSync(src('t10k-labels-idx1-ubyte.gz'));
    const corrupt = Buffer.from(gz);
    for (let i = 20; i < 60; i++) corrupt[i] = 0xff;
    const d1 = folder('badgz', { 't10k-images-idx3-ubyte.gz': readFileSync(src('t10k-images-idx3-ubyte.gz')), 't10k-labels-idx1-ubyte.gz': corrupt });
    assert.throws(() => readMnist(d1, 'test'), /t10k-labels-idx1-ubyte\.gz: bad gzip data/);
    const d2 = folder('truncgz', { 't10k-images-idx3-ubyte.gz': readFileSync(src('t10k-images-idx3-ubyte.gz')).subarray(0, 100000), 't10k-labels-idx1-ubyte.gz': gz });
    assert.throws(() => readMnist(d2, 'test'), /t10k-images-idx3-ubyte\.gz: bad gzip data \(unexpected end of file\)/);
  });

  it('reports a missing directory and missing files by name', () => {
    assert.throws(() => readMnist(`${dir}/nope`, 'train'), /data directory .*\/nope does not exist \(expected train-images-idx3-ubyte\.gz and train-labels-idx1-ubyte\.gz/);
    const d = folder('half', { 't10k-images-idx3-ubyte.gz': gzipSync(testImagesRaw().subarray(0, 16)) });
    assert.throws(() => readMnist(d, 'test'), /half lacks t10k-labels-idx1-ubyte\.gz \(gzipped or not\)/);
    assert.throws(() => readMnist(d, 'valid' as 'test'), /split must be 'train' or 'test', got "valid"/);
  });

  it('loadDataset fails for MNIST naming the directory and the missing files when download is off', async () => {
    await assert.rejects(loadDataset('mnist', 'train', { dataDir: `${dir}/empty-root` }), (e: Error) =>
      e instanceof DataError && e.message.includes(`${dir}/empty-root/mnist lacks train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz`) && e.message.includes('download not enabled'));
    await assert.rejects(loadDataset('cifar10', 'test', { dataDir: `${dir}/empty-root` }), /empty-root\/cifar-10-batches-bin lacks test_batch\.bin/);
    await assert.rejects(loadDataset('imagenet' as 'mnist', 'test', { dataDir: dir }), /unknown dataset "imagenet"/);
  });

  it('loadDataset finds the shared layout through dataDir and TSGRAD_DATA, and a dataset folder given directly', async () => {
    const a = await loadDataset('mnist', 'test', { dataDir: sharedDatasets() });
    assert.equal(a.source.replace(/\/+/g, '/'), `${sharedDatasets()}/mnist`.replace(/\/+/g, '/'));
    assert.deepEqual(a.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(labelCounts(a.labels), STATS['mnist/test']!.labelCounts);
    const prev = process.env['TSGRAD_DATA'];
    process.env['TSGRAD_DATA'] = sharedDatasets();
    try {
      const b = await loadDataset('fashion-mnist', 'test', { onNotice: () => assert.fail('no notice expected') });
      assert.deepEqual(labelCounts(b.labels), STATS['fashion-mnist/test']!.labelCounts);
      assert.equal(b.classes[9], 'Ankle boot');
    } finally {
      if (prev === undefined) delete process.env['TSGRAD_DATA'];
      else process.env['TSGRAD_DATA'] = prev;
    }
    const c = await loadDataset('mnist', 'test', { dataDir: `${sharedDatasets()}/mnist` });
    assert.equal(c.labels.shape[0], 10000);
  });
});

/** Writes CIFAR-10 binary batches in the official layout; pixel and label follow simple formulas. */
function writeCifar(dir: string, perBatch: number): void {
  const names = [1, 2, 3, 4, 5].map((b) => `data_batch_${b}.bin`).concat('test_batch.bin');
  names.forEach((name, b) => {
    const buf = new Uint8Array(perBatch * 3073);
    for (let r = 0; r < perBatch; r++) {
      buf[r * 3073] = (b + 3 * r) % 10;
      for (let k = 0; k < 3072; k++) buf[r * 3073 + 1 + k] = (b * 11 + r * 5 + k) % 256;
    }
    writeFileSync(`${dir}/${name}`, buf);
  });
}

describe('readCifar10 on files in the official binary layout', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(`${tmpdir()}/tsgrad-cifar-`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads cifar-10-batches-bin/ in batch order: labels, and channel-major pixels in [0,1]', () => {
    mkdirSync(`${dir}/a/cifar-10-batches-bin`, { recursive: true });
    writeCifar(`${dir}/a/cifar-10-batches-bin`, 4);
    const { images, labels } = readCifar10(`${dir}/a`, 'train');
    assert.deepEqual(images.shape, [20, 3, 32, 32]);
    assert.deepEqual(labels.shape, [20]);
    // Sample n is record r = n % 4 of batch b = floor(n / 4).
    assert.deepEqual(Array.from(labels.data), Array.from({ length: 20 }, (_, n) => (Math.floor(n / 4) + 3 * (n % 4)) % 10));
    for (const [n, c, y, x] of [[0, 0, 0, 0], [5, 1, 2, 3], [19, 2, 31, 31], [10, 0, 31, 0]] as const) {
      const b = Math.floor(n / 4);
      const r = n % 4;
      const k = c * 1024 + y * 32 + x;
      assert.equal(images.data[((n * 3 + c) * 32 + y) * 32 + x], Math.fround(((b * 11 + r * 5 + k) % 256) / 255), `pixel ${n},${c},${y},${x}`);
    }
    const test = readCifar10(`${dir}/a`, 'test');
    assert.deepEqual(test.images.shape, [4, 3, 32, 32]);
    assert.deepEqual(Array.from(test.labels.data), [5, 8, 1, 4]);
  });

  it('also reads batch files lying directly in the directory', () => {
    mkdirSync(`${dir}/flat`);
    writeCifar(`${dir}/flat`, 2);
    assert.deepEqual(readCifar10(`${dir}/flat`, 'test').images.shape, [2, 3, 32, 32]);
  });

  it('reports a truncated batch, a bad label byte, missing batches and a missing directory', () => {
    mkdirSync(`${dir}/bad`);
    writeCifar(`${dir}/bad`, 2);
    writeFileSync(`${dir}/bad/test_batch.bin`, readFileSync(`${dir}/bad/test_batch.bin`).subarray(0, 3073 + 100));
    assert.throws(() => readCifar10(`${dir}/bad`, 'test'), /bad\/test_batch\.bin: 3173 bytes is not a whole number of 3073-byte records/);
    const b = readFileSync(`${dir}/bad/data_batch_3.bin`);
    b[3073] = 200;
    writeFileSync(`${dir}/bad/data_batch_3.bin`, b);
    assert.throws(() => readCifar10(`${dir}/bad`, 'train'), /data_batch_3\.bin: record 1 has label 200, expected 0-9/);
    rmSync(`${dir}/bad/data_batch_2.bin`);
    rmSync(`${dir}/bad/data_batch_5.bin`);
    assert.throws(() => readCifar10(`${dir}/bad`, 'train'), /bad lacks data_batch_2\.bin, data_batch_5\.bin/);
    assert.throws(() => readCifar10(`${dir}/none`, 'train'), /data directory .*\/none does not exist/);
    assert.deepEqual(readdirSync(`${dir}/bad`).sort(), ['data_batch_1.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'test_batch.bin']);
  });
});
