// Hostile inputs (issue 17, findings 3, 7 and 8): every case gets a clear error naming the op, flag
// or file and what was expected, with the exit codes docs/cli.md promises, and nothing hangs. Also
// seeded fuzzing of the IDX, CIFAR and safetensors readers (truncations and bit flips: clean errors).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tg from '../../src/index.js';
import { readCifar10 } from '../../src/data/cifar.js';
import { readMnist } from '../../src/data/mnist.js';
import { parseIdx } from '../../src/data/idx.js';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { readPngImage } from '../../src/train/images.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-hostile-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function tsgrad(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: { ...process.env, TSGRAD_DATA: join(tmp, 'no-data'), ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--limit-train', '100', '--limit-test', '50', '--batch-size', '50', '--hidden', '8', '--epochs', '1', '--quiet'];

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s % n;
  };
}

describe('CLI: bad paths, flags and environment', () => {
  it('--out /proc/x fails at once with exit 2 (it used to spin at 100% CPU)', () => {
    const t0 = Date.now();
    const r = tsgrad(['train', ...SMALL, '--out', '/proc/x']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot create folder \/proc\/x/);
    assert.ok(Date.now() - t0 < 50_000);
  });

  it('an --out below a file is a usage error naming the path, not the temp file (exit 2)', () => {
    writeFileSync(join(tmp, 'afile'), 'x');
    const r = tsgrad(['train', ...SMALL, '--out', join(tmp, 'afile', 'run')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot create folder .*afile\/run: part of the path above .* is a file/);
    assert.doesNotMatch(r.stderr, /\.tmp-|ENOTDIR|at /);
  });

  it('--lr 0x10 and other non-decimal numbers are refused; a repeated flag quotes the right occurrence', () => {
    for (const v of ['0x10', '0b11', '1e', '']) {
      const r = tsgrad(['train', ...SMALL, '--lr', v, '--out', join(tmp, 'lr')]);
      assert.equal(r.code, 2, v);
      assert.match(r.stderr, new RegExp(`--lr (must be a number|needs a non-empty value), got ${JSON.stringify(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|--lr must be a number`));
    }
    const rep = tsgrad(['train', ...SMALL, '--lr', '0.1', '--lr', '-1', '--out', join(tmp, 'lr')]);
    assert.equal(rep.code, 2);
    assert.match(rep.stderr, /--lr is followed by "-1", which looks like a flag; write --lr=-1/);
  });

  it('an invalid TSGRAD_NUM_THREADS is refused with exit 2', () => {
    for (const v of ['abc', '0', '-2', '1.5']) {
      const r = tsgrad(['train', ...SMALL, '--out', join(tmp, 'thr')], { TSGRAD_NUM_THREADS: v });
      assert.equal(r.code, 2, v);
      assert.match(r.stderr, new RegExp(`TSGRAD_NUM_THREADS must be a whole number from 1 to 9999, got "${v.replace('.', '\\.')}"`));
    }
  });

  it('eval --dataset mnist on a Fashion-MNIST model warns that the model was trained on another dataset', () => {
    const out = join(tmp, 'fm');
    assert.equal(tsgrad(['train', ...SMALL, '--out', out]).code, 0);
    const r = tsgrad(['eval', '--model-dir', out, '--dataset', 'mnist', '--limit', '10']);
    assert.match(r.stderr, /warning: the model in .* was trained on fashion-mnist, but is evaluated on mnist/);
    const same = tsgrad(['eval', '--model-dir', out, '--limit', '10']);
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /warning/);
  });

  it('--detect-anomaly names the op that first produced a non-finite value', () => {
    const r = tsgrad(['train', ...SMALL, '--optimizer', 'sgd', '--lr', '1e5', '--epochs', '3', '--out', join(tmp, 'nan'), '--detect-anomaly']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /detectAnomaly: (the backward of )?\w+ produced (NaN|-?Infinity)/);
  });
});

describe('library: clear errors for bad operands, huge allocations, PNGs', () => {
  it('add/mul with a string, an array or null names the op and the operand', () => {
    const x = tg.zeros([3]);
    assert.throws(() => x.add('1' as never), /add: the second operand must be a Tensor or a number, got the string "1"/);
    assert.throws(() => x.add([1, 2] as never), /add: the second operand must be a Tensor or a number, got an array \(\[1,2\]; wrap it with tg\.tensor\(\)\)/);
    assert.throws(() => tg.add(null as never, x), /add: the first operand must be a Tensor or a number, got null/);
    assert.throws(() => tg.mul(x, {} as never), /mul: the second operand must be a Tensor or a number, got a Object/);
  });

  it('a huge allocation names the op, the shape, the elements and the bytes', () => {
    assert.throws(() => tg.zeros([200000, 200000]), /full: shape \[200000, 200000\]: cannot allocate 40,000,000,000 float32 elements \(160\.00 GB\)/);
    assert.throws(() => tg.randn([100000, 100000]), /randn: shape \[100000, 100000\]: cannot allocate/);
    assert.throws(() => tg.zeros([70000, 1]).add(tg.zeros([1, 70000])), /add output of shape \[70000,70000\]: cannot allocate 4,900,000,000 float32 elements/);
  });

  it('PNG errors name the file and never leak decoder internals', () => {
    const notPng = join(tmp, 'x.png');
    writeFileSync(notPng, 'GIF89a not a png');
    assert.throws(() => readPngImage(notPng, 1, 28, 28), /x\.png: not a PNG file \(it does not start with the PNG signature/);
    const truncated = join(tmp, 't.png');
    writeFileSync(truncated, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]));
    assert.throws(() => readPngImage(truncated, 1, 28, 28), (e: Error) => e.name === 'ImageError' && /t\.png: a damaged or unsupported PNG/.test(e.message) && !/undefined|properties of/.test(e.message));
    assert.throws(() => readPngImage(tmp, 1, 28, 28), /is a folder, not a PNG file/);
  });
});

describe('readers: validation and fuzzing', () => {
  function idx(dims: number[], data: Uint8Array): Uint8Array {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head.writeUInt32BE(0x800 + dims.length, 0);
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return Buffer.concat([head, data]);
  }

  it('readMnist refuses labels above 9 and images that are not 28x28, naming the file', () => {
    const dir = join(tmp, 'mn');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([2, 28, 28], new Uint8Array(2 * 784))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([2], Uint8Array.from([3, 200]))));
    assert.throws(() => readMnist(dir, 'test'), /t10k-labels-idx1-ubyte\.gz has label 200 at index 1; expected labels 0 to 9/);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([2, 20, 30], new Uint8Array(2 * 600))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([2], Uint8Array.from([3, 4]))));
    assert.throws(() => readMnist(dir, 'test'), /t10k-images-idx3-ubyte\.gz holds 20×30 images; MNIST and Fashion-MNIST images are 28×28/);
  });

  it('safetensors: "__proto__" keys round-trip; an array __metadata__ and absurd shapes are refused', () => {
    const bytes = serializeSafetensors(new Map([['__proto__', tg.ones([2])], ['b', tg.zeros([1])]]), { __proto__x: 'y' });
    const p = join(tmp, 'proto.safetensors');
    writeFileSync(p, bytes);
    const back = tg.io.loadSafetensors(p);
    assert.deepEqual([...back.tensors.keys()].sort(), ['__proto__', 'b']);
    assert.deepEqual(Array.from(back.tensors.get('__proto__')!.toTypedArray()), [1, 1]);
    const mk = (h: unknown): Uint8Array => {
      const j = Buffer.from(typeof h === 'string' ? h : JSON.stringify(h));
      const o = Buffer.alloc(8 + j.length);
      o.writeBigUInt64LE(BigInt(j.length));
      j.copy(o, 8);
      return o;
    };
    assert.throws(() => parseSafetensors(mk({ __metadata__: ['a'] })), /__metadata__ must be an object of strings, got an array/);
    assert.throws(() => parseSafetensors(mk({ x: { dtype: 'F32', shape: [0, 1e300], data_offsets: [0, 0] } })), /tensor "x" has shape \[0,1e\+300\] \(expected integers from 0 to 4294967296\)/);
    // A key "__proto__" inside the metadata survives too.
    const withProto = Buffer.from(mk('{"__metadata__": {"__proto__": "p"}}'));
    assert.equal(parseSafetensors(withProto).metadata['__proto__'], 'p');
  });

  it('fuzz: truncated and bit-flipped IDX, CIFAR and safetensors inputs give clean errors only', () => {
    const next = rng(17);
    const images = idx([3, 28, 28], Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 251));
    const labels = idx([3], Uint8Array.from([1, 2, 3]));
    const st = serializeSafetensors(new Map([['w', tg.randn([4, 5])], ['b', tg.zeros([5], { dtype: 'int32' })]]), { note: 'x' });
    const cifarDir = join(tmp, 'cf', 'cifar-10-batches-bin');
    mkdirSync(cifarDir, { recursive: true });
    const cifar = Buffer.alloc(3 * 3073);
    for (let r = 0; r < 3; r++) cifar[r * 3073] = r;
    const clean = (e: unknown): boolean => e instanceof Error && ['DataError', 'SafetensorsError'].includes(e.name) && !/undefined|properties of|is not a function/.test(e.message);
    let cases = 0;
    let stillValid = 0;
    const mutate = (b: Uint8Array, i: number): Uint8Array => {
      const c = Buffer.from(b);
      if (i % 2 === 0) return c.subarray(0, next(c.length));
      c[next(c.length)] ^= 1 << next(8);
      return c;
    };
    for (let i = 0; i < 150; i++) {
      for (const [what, bytes, parse] of [
        ['idx images', images, (b: Uint8Array) => parseIdx(b, 'images.idx', 3)],
        ['idx labels', labels, (b: Uint8Array) => parseIdx(b, 'labels.idx', 1)],
        ['safetensors', st, (b: Uint8Array) => parseSafetensors(b, 'w.safetensors')],
        [
          'cifar',
          cifar,
          (b: Uint8Array) => {
            writeFileSync(join(cifarDir, 'test_batch.bin'), b);
            return readCifar10(join(tmp, 'cf'), 'test');
          },
        ],
      ] as const) {
        cases++;
        try {
          parse(mutate(bytes, i));
          stillValid++; // a flip in pixel data or padding leaves a valid file
        } catch (e) {
          assert.ok(clean(e), `${what} case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        }
      }
    }
    console.log(`reader fuzz: ${cases} damaged inputs (IDX, CIFAR, safetensors), ${cases - stillValid} clean errors, ${stillValid} still valid (flips in data bytes), no other failure`);
  });
});
