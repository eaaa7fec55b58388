import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { DataError, downloadCifar10, downloadFile, loadDataset, readCifar10, readTar } from '../../src/data/index.js';
import { REPO_ROOT, sharedDatasets } from '../helpers.js';

const FIX = `${REPO_ROOT}tests/fixtures/data`;
const MINI = JSON.parse(readFileSync(`${FIX}/cifar-mini.json`, 'utf8')) as {
  md5: string; recordsPerBatch: number; trainLabels: number[]; testLabels: number[]; longName: string;
  probes: { split: 'train' | 'test'; n: number; c: number; y: number; x: number; value: number }[];
};
// The official md5s, as published (../shared/datasets/README.md).
const MNIST_TEST_MD5 = { 't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3', 't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c' };
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/**
 * A loopback server for the official files: /mnist/ and /fashion-mnist/ from ../shared/datasets,
 * /corrupt/ the same files with one byte changed, /broken/ a connection cut half way, /stall/ no
 * answer, /cifar/ the miniature CIFAR archive; anything else 404.
 */
function serve(): Promise<Server> {
  const server = createServer((req, res) => {
    const [, route, file] = (req.url ?? '').split('/');
    const real = (ds: string): Buffer | null => {
      const p = `${sharedDatasets()}/${ds}/${file}`;
      return file && !file.includes('..') && existsSync(p) ? readFileSync(p) : null;
    };
    if (route === 'stall') return;
    let body: Buffer | null = null;
    if (route === 'mnist' || route === 'fashion-mnist') body = real(route);
    else if (route === 'corrupt') {
      body = real('fashion-mnist');
      if (body) body[body.length >> 1]! ^= 0xff;
    } else if (route === 'broken') {
      const full = real('mnist');
      if (full) {
        res.writeHead(200, { 'content-length': full.length });
        res.write(full.subarray(0, full.length >> 1), () => res.destroy());
        return;
      }
    } else if (route === 'cifar' && file === 'cifar-10-binary.tar.gz') body = readFileSync(`${FIX}/cifar-10-binary-mini.tar.gz`);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  // Bounded: the server closes itself even if a test forgets to.
  setTimeout(() => server.close(), 120_000).unref();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('downloads from a local HTTP server, md5-checked and atomic', () => {
  let server: Server;
  let base = '';
  let root = '';
  const saved: Record<string, string | undefined> = {};
  const setEnv = (k: string, v: string): void => {
    if (!(k in saved)) saved[k] = process.env[k];
    process.env[k] = v;
  };
  /** Every file left under `dir`, recursively (to prove nothing half-written remains). */
  const listAll = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : []);

  before(async () => {
    server = await serve();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    root = mkdtempSync(`${tmpdir()}/tsgrad-dl-`);
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    server.closeAllConnections();
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('fetches the missing MNIST files, trying mirrors in order, and verifies their md5', async () => {
    setEnv('TSGRAD_MNIST_MIRROR', `${base}/nothing-here/,${base}/mnist`);
    const notices: string[] = [];
    const d = await loadDataset('mnist', 'test', { dataDir: `${root}/a`, download: true, onNotice: (m) => notices.push(m) });
    assert.deepEqual(d.labels.shape, [10000]);
    assert.deepEqual(Array.from(d.labels.data.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    assert.deepEqual(listAll(`${root}/a`), ['mnist', 'mnist/t10k-images-idx3-ubyte.gz', 'mnist/t10k-labels-idx1-ubyte.gz']);
    for (const [f, sum] of Object.entries(MNIST_TEST_MD5)) assert.equal(md5(readFileSync(`${root}/a/mnist/${f}`)), sum);
    assert.deepEqual(notices, [
      `downloading ${base}/nothing-here/t10k-images-idx3-ubyte.gz`, `downloading ${base}/mnist/t10k-images-idx3-ubyte.gz`,
      `downloading ${base}/nothing-here/t10k-labels-idx1-ubyte.gz`, `downloading ${base}/mnist/t10k-labels-idx1-ubyte.gz`,
    ]);
    // Present files are not fetched again.
    const again: string[] = [];
    await loadDataset('mnist', 'test', { dataDir: `${root}/a`, download: true, onNotice: (m) => again.push(m) });
    assert.deepEqual(again, []);
  });

  it('rejects a checksum mismatch, naming the URL and both md5s, and leaves no file behind', async () => {
    setEnv('TSGRAD_MNIST_MIRROR', `${base}/corrupt/`);
    await assert.rejects(loadDataset('mnist', 'test', { dataDir: `${root}/b`, download: true, onNotice: () => {} }), (e: Error) =>
      e instanceof DataError
      && e.message.includes(`download ${base}/corrupt/t10k-images-idx3-ubyte.gz: checksum mismatch`)
      && e.message.includes('expected 9fb629c4189551a2d022fa330f9573f3')
      && e.message.includes(`${root}/b/mnist lacks t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz`));
    assert.deepEqual(listAll(`${root}/b`), ['mnist']);
  });

  it('does not download when TSGRAD_OFFLINE is set', async () => {
    setEnv('TSGRAD_MNIST_MIRROR', `${base}/mnist/`);
    setEnv('TSGRAD_OFFLINE', '1');
    try {
      await assert.rejects(loadDataset('mnist', 'test', { dataDir: `${root}/h`, download: true, onNotice: () => assert.fail('nothing to notice') }),
        /h\/mnist lacks t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz .*download off: TSGRAD_OFFLINE is set/);
    } finally {
      setEnv('TSGRAD_OFFLINE', '');
    }
    assert.deepEqual(listAll(`${root}/h`), []);
  });

  it('reports a connection cut mid-file and a server that never answers, leaving nothing half-written', async () => {
    await assert.rejects(downloadFile(`${base}/broken/t10k-labels-idx1-ubyte.gz`, `${root}/c/labels.gz`, MNIST_TEST_MD5['t10k-labels-idx1-ubyte.gz']),
      /download http:\/\/127\.0\.0\.1:\d+\/broken\/t10k-labels-idx1-ubyte\.gz failed after \d+ bytes: terminated/);
    await assert.rejects(downloadFile(`${base}/stall/x`, `${root}/c/x`, 'ffff', { connectTimeoutMs: 300 }), /stall\/x failed: no answer within 300 ms/);
    await assert.rejects(downloadFile(`${base}/nothing-here/x`, `${root}/c/x`, 'ffff'), /nothing-here\/x failed: HTTP 404/);
    assert.deepEqual(listAll(`${root}/c`), []);
  });

  it('falls back to the embedded Fashion-MNIST subset with one notice when the fetch fails', async () => {
    setEnv('TSGRAD_FASHION_MNIST_MIRROR', `${base}/corrupt/`);
    const notices: string[] = [];
    const d = await loadDataset('fashion-mnist', 'train', { dataDir: `${root}/d`, download: true, onNotice: (m) => notices.push(m) });
    assert.deepEqual(d.images.shape, [2000, 1, 28, 28]);
    assert.match(d.source, /embedded Fashion-MNIST subset/);
    const last = notices.at(-1)!;
    assert.ok(!last.includes('\n'));
    assert.match(last, /full Fashion-MNIST not found in .*\/d\/fashion-mnist \(download failed: download .*corrupt\/train-images-idx3-ubyte\.gz: checksum mismatch: .*expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d.*\); using the embedded subset \(2000 train images\)/);
    assert.deepEqual(listAll(`${root}/d`), ['fashion-mnist']);
    // Refused connections (no server on the port) fall back the same way.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    setEnv('TSGRAD_FASHION_MNIST_MIRROR', `http://127.0.0.1:${port}/`);
    const n2: string[] = [];
    const t = await loadDataset('fashion-mnist', 'test', { dataDir: `${root}/e`, download: true, onNotice: (m) => n2.push(m) });
    assert.deepEqual(t.labels.shape, [1000]);
    assert.match(n2.at(-1)!, /download failed: download http:\/\/127\.0\.0\.1:\d+\/t10k-images-idx3-ubyte\.gz failed: fetch failed.*using the embedded subset \(1000 test images\)/);
  });

  it('downloads the CIFAR-10 binary archive, checks its md5, untars the batches and removes the archive', async () => {
    setEnv('TSGRAD_CIFAR10_MIRROR', `${base}/cifar/`);
    await downloadCifar10(`${root}/f`, () => {}, MINI.md5);
    assert.deepEqual(listAll(`${root}/f`), ['cifar-10-batches-bin', ...['batches.meta.txt', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].map((f) => `cifar-10-batches-bin/${f}`)]);
    const train = readCifar10(`${root}/f`, 'train');
    const test = readCifar10(`${root}/f`, 'test');
    assert.deepEqual(train.images.shape, [5 * MINI.recordsPerBatch, 3, 32, 32]);
    assert.deepEqual(Array.from(train.labels.data), MINI.trainLabels);
    assert.deepEqual(Array.from(test.labels.data), MINI.testLabels);
    for (const p of MINI.probes) {
      const t = p.split === 'train' ? train.images : test.images;
      assert.equal(t.data[((p.n * 3 + p.c) * 32 + p.y) * 32 + p.x], Math.fround(p.value), JSON.stringify(p));
    }
    const d = await loadDataset('cifar10', 'test', { dataDir: `${root}/f` });
    assert.equal(d.classes[0], 'airplane');
    assert.deepEqual(Array.from(d.labels.data), MINI.testLabels);
  });

  it('refuses a CIFAR-10 archive whose md5 is not the official one, leaving nothing behind', async () => {
    setEnv('TSGRAD_CIFAR10_MIRROR', `${base}/cifar/`);
    await assert.rejects(loadDataset('cifar10', 'train', { dataDir: `${root}/g`, download: true, onNotice: () => {} }), (e: Error) =>
      e.message.includes(`checksum mismatch: md5 of the 2221 bytes received is ${MINI.md5}, expected c32a1d4ab5d03f1284b67883e8d87530`)
      && e.message.includes(`${root}/g/cifar-10-batches-bin lacks data_batch_1.bin`));
    assert.deepEqual(listAll(`${root}/g`), []);
  });
});

describe('readTar', () => {
  const tar = gunzipSync(readFileSync(`${FIX}/cifar-10-binary-mini.tar.gz`));

  it('lists the members of a tar written by Python, with directories and GNU long names', () => {
    const entries = readTar(tar, 'mini.tar');
    assert.deepEqual(entries.map((e) => [e.name, e.type, e.data.length]), [
      ['cifar-10-batches-bin', 'directory', 0],
      ...['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'].map((f) => [`cifar-10-batches-bin/${f}`, 'file', 3 * 3073]),
      ['cifar-10-batches-bin/batches.meta.txt', 'file', 61],
      [MINI.longName, 'file', 17],
    ]);
    assert.equal(new TextDecoder().decode(entries.at(-1)!.data), '<html>mini</html>');
  });

  it('reports a corrupt header checksum and a truncated archive', () => {
    const bad = Uint8Array.from(tar);
    bad[512 + 3] ^= 1;
    assert.throws(() => readTar(bad, 'x.tar'), /x\.tar: bad tar header checksum at byte 512/);
    assert.throws(() => readTar(tar.subarray(0, 512 + 600), 'y.tar'), /y\.tar: truncated tar archive: member "cifar-10-batches-bin\/data_batch_1\.bin" needs 9219 bytes, only 88 remain/);
  });
});
