import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as io from '../../src/io/index.js';
import { readZip, writeZip } from '../../src/io/torch/zip.js';
import { pickleStateDict } from '../../src/io/torch/pickle.js';
import { REPO_ROOT, flat } from '../helpers.js';

const FX = `${REPO_ROOT}tests/fixtures/io/`;
interface TJ {
  dtype: tg.DType;
  shape: number[];
  data: number[];
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgrad-torch-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A one-tensor archive whose pickle says `numel` elements of `shape`, with `bytes` of storage data. */
function oneTensor(shape: number[], numel: number, bytes: number, storageType = 'FloatStorage'): Uint8Array {
  return writeZip([
    { name: 'archive/data.pkl', data: pickleStateDict([{ name: 'w', storageType, key: '0', numel, shape }]) },
    { name: 'archive/data/0', data: new Uint8Array(bytes) },
  ]);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('loadTorch', () => {
  it('reads a torch.save checkpoint: every dtype, shared-storage views, strides, nested dicts, parameters', () => {
    const fx = JSON.parse(readFileSync(`${FX}checkpoint.json`, 'utf8')) as { order: string[]; tensors: Record<string, TJ> };
    const sd = io.loadTorch(`${FX}checkpoint.pth`);
    assert.deepEqual([...sd.keys()], fx.order);
    for (const [name, t] of Object.entries(fx.tensors)) {
      const got = sd.get(name)!;
      assert.equal(got.dtype, t.dtype, name);
      assert.deepEqual(got.shape, t.shape, name);
      // float32 values compare exactly with the float64 reference rounded to float32.
      assert.deepEqual(flat(got), t.data.map((v) => (t.dtype === 'float32' ? Math.fround(v) : v)), name);
    }
    assert.ok(sd.get('tensors.shared.transposed')!.isContiguous());
  });

  it('reads the same bytes from a Uint8Array and loads into a module', () => {
    const sd = io.loadTorch(new Uint8Array(readFileSync(`${FX}checkpoint.pth`)));
    const m = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const model = new Map([...sd].filter(([k]) => k.startsWith('model.')).map(([k, v]) => [k.slice(6), v]));
    m.loadStateDict(model);
    assert.deepEqual(flat(m.getParameter('0.weight')), flat(sd.get('model.0.weight')!));
  });

  it('refuses a pickled module, naming the global, and executes nothing', () => {
    assert.throws(() => io.loadTorch(`${FX}module.pth`), (e: Error) => e instanceof io.TorchFormatError && /module\.pth/.test(e.message) && /torch\.nn\.modules\.linear\.Linear.*not allowed/.test(e.message));
  });

  it('refuses unsupported dtypes and int64 values outside int32, naming file and problem', () => {
    assert.throws(() => io.loadTorch(`${FX}int16.pth`), /int16\.pth: .*torch\.ShortStorage are not supported/);
    assert.throws(() => io.loadTorch(`${FX}int64_big.pth`), /int64_big\.pth: .*1099511627776, outside the int32 range/);
  });

  it('refuses storages shorter than their tensors', () => {
    assert.throws(() => io.loadTorch(oneTensor([3], 3, 8)), /storage data\/0 holds 8 bytes, but its 3 FloatStorage elements need 12/);
    assert.throws(() => io.loadTorch(oneTensor([3], 2, 8)), /tensor "w" .* reaches element 2, but its storage data\/0 holds only 2: the storage is shorter than the tensor/);
    assert.throws(() => io.loadTorch(oneTensor([2], 2, 4, 'ComplexFloatStorage')), /torch\.ComplexFloatStorage are not supported/);
  });

  it('refuses truncated, corrupt, legacy and non-zip files with the file name', () => {
    const bytes = new Uint8Array(readFileSync(`${FX}checkpoint.pth`));
    const path = join(dir, 'cut.pth');
    io.saveTorch(new Map([['a', tg.ones([100])]]), path);
    const cut = new Uint8Array(readFileSync(path)).subarray(0, 300);
    assert.throws(() => io.loadTorch(cut), /torch buffer is not a zip archive or is truncated/);
    assert.throws(() => io.loadTorch(bytes.subarray(0, bytes.length - 30)), /truncated|not a zip/);
    const flipped = bytes.slice();
    const entry = readZip(bytes, 'x').find((e) => e.name.endsWith('data/0'))!;
    flipped[entry.data.byteOffset + 1]! ^= 0x10;
    assert.throws(() => io.loadTorch(flipped), /entry "checkpoint\/data\/0" fails its CRC-32 check/);
    assert.throws(() => io.loadTorch(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a])), /legacy \(pre-1\.6, non-zip\)/);
    assert.throws(() => io.loadTorch(join(dir, 'missing.pth')), /cannot read .*missing\.pth/);
    const noPkl = writeZip([{ name: 'a/b', data: new Uint8Array(3) }]);
    assert.throws(() => io.loadTorch(noPkl), /no data\.pkl/);
  });

  it('fuzz: truncations and bit flips of the archive and of the pickle give only clean errors', () => {
    const bytes = new Uint8Array(readFileSync(`${FX}checkpoint.pth`));
    const entries = readZip(bytes, 'fixture').map((e) => ({ name: e.name, data: e.data.slice() }));
    const pklIndex = entries.findIndex((e) => e.name.endsWith('data.pkl'));
    const rand = mulberry32(1234);
    let errors = 0;
    let loaded = 0;
    for (let i = 0; i < 600; i++) {
      let input: Uint8Array;
      const kind = i % 3;
      if (kind === 0) input = bytes.subarray(0, Math.floor(rand() * bytes.length));
      else if (kind === 1) {
        input = bytes.slice();
        for (let f = 0; f < 1 + Math.floor(rand() * 8); f++) input[Math.floor(rand() * input.length)]! ^= 1 << Math.floor(rand() * 8);
      } else {
        // Flip bits inside data.pkl and re-zip with valid CRCs, so the unpickler sees the damage.
        const pkl = entries[pklIndex]!.data.slice();
        for (let f = 0; f < 1 + Math.floor(rand() * 4); f++) pkl[Math.floor(rand() * pkl.length)]! ^= 1 << Math.floor(rand() * 8);
        input = writeZip(entries.map((e, j) => (j === pklIndex ? { name: e.name, data: pkl } : e)));
      }
      try {
        io.loadTorch(input);
        loaded++;
      } catch (e) {
        assert.ok(e instanceof tg.TsgradError, `case ${i} (kind ${kind}) threw ${(e as Error).name}: ${(e as Error).message}`);
        assert.match((e as Error).message, /^loadTorch: torch buffer/);
        errors++;
      }
    }
    assert.ok(errors > 300, `only ${errors} of 600 damaged inputs were refused`);
    console.log(`# fuzz: ${errors} clean errors, ${loaded} damaged inputs still loaded`);
  });
});

describe('saveTorch', () => {
  it('round-trips float32, float64, int32, bool, scalars and non-contiguous tensors', () => {
    const path = join(dir, 'rt.pth');
    const t = tg.tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1);
    const sd = new Map<string, tg.Tensor>([
      ['a.weight', t], ['d', tg.tensor([1.25, -2], { dtype: 'float64' })], ['i', tg.tensor([3, -4], { dtype: 'int32' })],
      ['b', tg.tensor([1, 0], { dtype: 'bool' })], ['s', tg.tensor(7.5)], ['e', tg.zeros([0, 2])],
    ]);
    io.saveTorch(sd, path);
    const back = io.loadTorch(path);
    assert.deepEqual([...back.keys()], [...sd.keys()]);
    for (const [k, v] of sd) {
      assert.equal(back.get(k)!.dtype, v.dtype, k);
      assert.deepEqual(back.get(k)!.shape, v.shape, k);
      assert.deepEqual(flat(back.get(k)!), flat(v), k);
    }
  });

  it('writes the layout torch.load expects: archive/data.pkl, byteorder, data/N aligned to 64 bytes, version', () => {
    const bytes = io.serializeTorch(new Map([['x', tg.ones([3])], ['y', tg.ones([5])]]));
    const entries = readZip(bytes, 'saved');
    assert.deepEqual(entries.map((e) => e.name), ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/data/1', 'archive/version']);
    for (const e of entries) assert.equal(e.data.byteOffset % 64, 0, e.name);
  });
});
