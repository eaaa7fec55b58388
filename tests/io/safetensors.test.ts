import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as io from '../../src/io/index.js';
import { REPO_ROOT, assertClose, flat } from '../helpers.js';
import { T, fixture, type TJ } from '../nn/fixtures.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsgrad-io-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Hand-built file: an 8-byte little-endian header length, the JSON header, then the data bytes. */
function handMade(header: unknown, data: Uint8Array, lengthOverride?: number): Uint8Array {
  const h = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + h.length + data.length);
  out.writeBigUInt64LE(BigInt(lengthOverride ?? h.length), 0);
  h.copy(out, 8);
  Buffer.from(data).copy(out, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  it('reads a file written by hand in Python from PyTorch tensors (F32, F64, I32, I64, BOOL, F16, empty)', () => {
    const fx = fixture<{ metadata: Record<string, string>; order: string[]; tensors: Record<string, TJ & { code: string }> }>('safetensors.json');
    const { tensors, metadata } = io.loadSafetensors(`${REPO_ROOT}tests/fixtures/nn/torch_written.safetensors`);
    assert.deepEqual(metadata, fx.metadata);
    assert.deepEqual([...tensors.keys()], fx.order);
    const dtypes: Record<string, tg.DType> = { F32: 'float32', F64: 'float64', I32: 'int32', I64: 'int32', BOOL: 'bool', F16: 'float32' };
    for (const [name, t] of Object.entries(fx.tensors)) {
      const got = tensors.get(name)!;
      assert.equal(got.dtype, dtypes[t.code], name);
      assert.deepEqual(got.shape, t.shape, name);
      // F32 values are compared exactly after rounding the float64 reference to float32.
      assert.deepEqual(flat(got), t.data.map((v) => (t.code === 'F32' ? Math.fround(Number(v)) : Number(v))), name);
    }
  });

  it('writes the format exactly: header length, space-padded JSON header, raw little-endian data', () => {
    const bytes = io.serializeSafetensors({ a: tg.tensor([1.5, -2], { dtype: 'float32' }), b: tg.tensor([7], { dtype: 'int32' }) }, { k: 'v' });
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    const header = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    assert.equal(header.trimEnd(), '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}');
    const data = Buffer.from(bytes.subarray(8 + n));
    assert.equal(data.length, 12);
    assert.deepEqual([data.readFloatLE(0), data.readFloatLE(4), data.readInt32LE(8)], [1.5, -2, 7]);
  });

  it('round-trips every dtype, shape, order and metadata exactly', () => {
    const sd = new Map<string, tg.Tensor>([
      ['z.last', tg.randn([3, 4], { generator: new tg.Generator(1) })],
      ['a.f64', tg.randn([2, 1, 3], { dtype: 'float64', generator: new tg.Generator(2) })],
      ['m.int', tg.tensor([-5, 0, 2147483647], { dtype: 'int32' })],
      ['m.bool', tg.tensor([[true, false, true]])],
      ['scalar', tg.tensor(3.25)],
      ['empty', tg.zeros([0, 5])],
      ['strided', tg.arange(6).reshape([2, 3]).t()],
    ]);
    const path = join(dir, 'all.safetensors');
    io.saveSafetensors(path, sd, { epoch: '3' });
    const back = io.loadSafetensors(path);
    assert.deepEqual(back.metadata, { epoch: '3' });
    assert.deepEqual([...back.tensors.keys()], [...sd.keys()]);
    for (const [k, v] of sd) {
      const got = back.tensors.get(k)!;
      assert.equal(got.dtype, v.dtype, k);
      assert.deepEqual(got.shape, v.shape, k);
      assert.deepEqual(flat(got), flat(v), k);
    }
    assert.deepEqual(readdirSync(dir), ['all.safetensors'], 'no temporary file left behind');
  });

  it('saves and loads a model state dict, including BatchNorm buffers', () => {
    const make = () => new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(2, 3));
    const a = make();
    a.forward(tg.randn([2, 1, 3, 3]));
    const path = join(dir, 'model.safetensors');
    io.saveStateDict(path, a);
    const b = make();
    b.loadStateDict(io.loadStateDict(path));
    for (const [k, v] of a.stateDict()) assertClose(b.stateDict().get(k)!, v, { atol: 0, rtol: 0, msg: k });
    assert.equal(io.loadSafetensors(path).metadata['format'], 'pt');
    assert.equal(b.stateDict().get('1.num_batches_tracked')!.item(), 1);
  });

  it('reports truncated files at every cut point, naming the file', () => {
    const good = io.serializeSafetensors({ w: tg.ones([4, 4]), b: tg.zeros([4]) });
    for (const cut of [0, 5, 8, 20, good.length - 17, good.length - 1]) {
      const path = join(dir, `cut${cut}.safetensors`);
      writeFileSync(path, good.subarray(0, cut));
      assert.throws(() => io.loadSafetensors(path), (e: Error) => e instanceof io.SafetensorsError && e.message.includes(path) && /truncated|corrupt/.test(e.message), `cut at ${cut}`);
    }
    assert.throws(() => io.parseSafetensors(good.subarray(0, 5)), /is truncated: 5 bytes, but the header length alone takes 8/);
    assert.throws(() => io.parseSafetensors(good.subarray(0, good.length - 1)), /is truncated: tensor "b" ends at byte 80 of the data section, which holds only 79 bytes/);
  });

  it('reports corrupt headers and data layouts', () => {
    const f32 = new Uint8Array(8);
    assert.throws(() => io.parseSafetensors(handMade({}, f32, 2 ** 40)), /header length 1099511627776 exceeds/);
    const bad = Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{bad')]);
    assert.throws(() => io.parseSafetensors(bad), /the header is not valid JSON/);
    assert.throws(() => io.parseSafetensors(handMade([1, 2], new Uint8Array(0))), /the header is not a JSON object/);
    assert.throws(() => io.parseSafetensors(handMade({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, f32)), /tensor "x" has dtype C64, which tsgrad cannot read/);
    assert.throws(() => io.parseSafetensors(handMade({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32)), /tensor "x" \(F32 \[3\]\) needs 12 bytes but its data_offsets span 8/);
    assert.throws(() => io.parseSafetensors(handMade({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32)), /starts at byte 4 of the data section, expected 0/);
    assert.throws(() => io.parseSafetensors(handMade({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32)), /the tensors cover 4 bytes but the data section holds 8/);
    assert.throws(() => io.parseSafetensors(handMade({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32)), /tensor "x" has shape \[-1\]/);
    assert.throws(() => io.parseSafetensors(handMade({ x: { dtype: 'F32' } }, f32)), /entry "x" needs dtype, shape and data_offsets/);
    assert.throws(() => io.parseSafetensors(handMade({ __metadata__: { a: 1 } }, new Uint8Array(0))), /__metadata__ value of "a" is not a string/);
    const big = new Uint8Array(8);
    new DataView(big.buffer).setBigInt64(0, 2n ** 40n, true);
    assert.throws(() => io.parseSafetensors(handMade({ n: { dtype: 'I64', shape: [], data_offsets: [0, 8] } }, big)), /outside the int32 range/);
    assert.throws(() => io.loadSafetensors(join(dir, 'missing.safetensors')), /safetensors: cannot read .*missing\.safetensors/);
  });

  it('leaves an existing file untouched when writing fails, and leaves no temporary file', () => {
    const path = join(dir, 'keep.safetensors');
    io.saveSafetensors(path, { a: tg.ones([2]) });
    const before = readFileSync(path);
    assert.throws(() => io.saveSafetensors(path, { a: tg.ones([2]) }, { bad: 3 as unknown as string }), /metadata value of "bad" must be a string/);
    assert.throws(() => io.saveSafetensors(join(dir, 'no-such-dir', 'x.safetensors'), { a: tg.ones([2]) }), /cannot write .*x\.safetensors: folder .*no-such-dir does not exist/);
    assert.deepEqual(readFileSync(path), before);
    assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp-')));
    assert.ok(!existsSync(join(dir, 'no-such-dir')));
  });
});

describe('tensor and optimizer state as JSON', () => {
  it('encodes tensors exactly (float32 survives the double round trip)', () => {
    const t = tg.randn([5], { generator: new tg.Generator(4) });
    const back = io.tensorFromJSON(JSON.parse(JSON.stringify(io.tensorToJSON(t))));
    assert.equal(back.dtype, 'float32');
    assert.deepEqual(flat(back), flat(t));
    assert.deepEqual(flat(io.tensorFromJSON(io.tensorToJSON(T({ dtype: 'int32', shape: [2], data: [3, -4] })))), [3, -4]);
  });
});
