import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeBackend, nativeFallbackCount } from '../../src/backend/native/index.js';
import { makeView, read, ref, skip, zeros } from './util.js';

const indexJs = fileURLToPath(new URL('../../src/index.js', import.meta.url));

/** Runs a snippet against the built package in a fresh Node process. */
function child(code: string, env: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const script = `import * as tg from ${JSON.stringify(indexJs)};\n${code}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const snippet = `
const a = tg.tensor([[1, 2], [3, 4]]);
const b = tg.tensor([[5, 6], [7, 8]]);
console.log(tg.getBackend().name, JSON.stringify(Array.from(tg.matmul(a, b).add(1).toTypedArray())));
console.log(tg.getBackend().name);
`;

test('without the addon tsgrad runs on wasm and says so once on stderr', () => {
  const r = child(snippet + "tg.setBackend('native'); console.log(tg.getBackend().name);", { TSGRAD_NATIVE_PATH: '/nonexistent/tsgrad_native.node', TSGRAD_BACKEND: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['wasm [20,23,44,51]', 'wasm', 'wasm']);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one notice line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^tsgrad: native backend unavailable \(cannot load \/nonexistent\/tsgrad_native\.node.*\); using the wasm backend\.$/);
});

test('without the addon and the wasm module tsgrad runs on ref and says so once on stderr', () => {
  const env = { TSGRAD_NATIVE_PATH: '/nonexistent/tsgrad_native.node', TSGRAD_WASM_PATH: '/nonexistent/tsgrad.wasm', TSGRAD_BACKEND: '' };
  const r = child(snippet + "tg.setBackend('native'); console.log(tg.getBackend().name);", env);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['ref [20,23,44,51]', 'ref', 'ref']);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one notice line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^tsgrad: native backend unavailable \(cannot load .*\); using the ref backend \(wasm unavailable too: cannot load \/nonexistent\/tsgrad\.wasm.*\)\.$/);
});

test('native is the default when the addon loads; TSGRAD_BACKEND=ref selects ref silently', { skip }, () => {
  const r = child(snippet, { TSGRAD_BACKEND: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['native [20,23,44,51]', 'native']);
  assert.equal(r.stderr, '');
  const e = child(snippet, { TSGRAD_BACKEND: 'ref' });
  assert.deepEqual(e.stdout.trim().split('\n'), ['ref [20,23,44,51]', 'ref']);
  assert.equal(e.stderr, '');
});

test('combinations the addon leaves to ref still give ref results', { skip }, () => {
  const nat = nativeBackend()!;
  let i = 0;
  const x = makeView([5], 'int32', 'contiguous', () => [-3, 0, 4, 7, -1][i++]!);
  const before = nativeFallbackCount();
  const out = zeros([5], 'int32');
  nat.unary('neg', x, out); // integer unary: ref kernel
  assert.deepEqual(read(out), [3, 0, -4, -7, 1]);
  const sum = zeros([5], 'int32');
  nat.binary('add', x, x, sum); // integer arithmetic: ref kernel
  assert.deepEqual(read(sum), [-6, 0, 8, 14, -2]);
  const refSum = zeros([5], 'int32');
  ref.binary('add', x, x, refSum);
  assert.deepEqual(read(sum), read(refSum));
  assert.equal(nativeFallbackCount(), before + 2);
});
