import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { wasmBackend, wasmLoadError } from '../../src/backend/wasm/index.js';

const testsDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs test files in a child Node with `env` added; fails with the failing lines of its TAP output. */
function rerun(files: string[], env: Record<string, string>): void {
  // Without NODE_TEST_CONTEXT: set by the parent runner, it would make the child report to it, not to stdout.
  const { NODE_TEST_CONTEXT: _ctx, ...base } = process.env;
  const r = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-reporter=tap', ...files], { env: { ...base, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 30).join('\n') + r.stderr);
  assert.match(r.stdout, /# fail 0/);
  assert.doesNotMatch(r.stdout, /# skip [1-9]/, 'a test was skipped on wasm');
}

function testFiles(dir: string, exclude: readonly string[] = []): string[] {
  return readdirSync(testsDir + dir).filter((f) => f.endsWith('.test.js') && !exclude.includes(f)).map((f) => `${testsDir}${dir}/${f}`);
}

test('the wasm module loads', () => {
  assert.ok(wasmBackend(), `wasm module not loadable: ${wasmLoadError()}`);
});

// The native kernel tests compare every kernel with ref over dtypes, layouts and edge shapes;
// TSGRAD_KERNEL_TEST_BACKEND=wasm points them at the wasm build of the same kernels.
test('the wasm kernels pass the native kernel tests (compared with ref)', () => {
  const files = testFiles('native', ['portable.test.js', 'fallback.test.js']);
  assert.ok(files.length >= 7, `found only ${files.length} native test files`);
  rerun(files, { TSGRAD_KERNEL_TEST_BACKEND: 'wasm' });
});

// The op tests (values, broadcasting, gradchecks, PyTorch fixtures) with wasm as the default backend.
test('the op tests pass with TSGRAD_BACKEND=wasm', () => {
  const files = testFiles('ops');
  assert.ok(files.length >= 5, `found only ${files.length} op test files`);
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import * as tg from ${JSON.stringify(fileURLToPath(new URL('../../src/index.js', import.meta.url)))}; console.log(tg.getBackend().name);`],
  { env: { ...process.env, TSGRAD_BACKEND: 'wasm' }, encoding: 'utf8' });
  assert.equal(probe.stdout.trim(), 'wasm', probe.stderr);
  rerun(files, { TSGRAD_BACKEND: 'wasm' });
});
