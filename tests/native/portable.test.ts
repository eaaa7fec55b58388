import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeSimd } from '../../src/backend/native/index.js';
import { skip } from './util.js';

const here = fileURLToPath(new URL('.', import.meta.url));

// The AVX2 kernels are what this machine runs; CPUs without AVX2/FMA run the portable loops
// compiled beside them (Winograd transforms, GEMM micro-kernel, pooling, softmax, ...). This reruns
// the native kernel tests in a child process with TSGRAD_NATIVE_NO_SIMD=1, which forces those.
// (On a CPU without AVX2 every test already runs the portable path, so this one is skipped.)
const skipHere = skip || (nativeSimd() !== 'avx2+fma' ? 'the portable path is the default on this CPU' : false);
test('the portable (no-SIMD) native kernels pass the native kernel tests', { skip: skipHere }, () => {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.test.js') && f !== 'portable.test.js' && f !== 'fallback.test.js')
    .map((f) => here + f);
  assert.ok(files.length >= 7, `found only ${files.length} native test files`);
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { nativeSimd } from ${JSON.stringify(fileURLToPath(new URL('../../src/backend/native/index.js', import.meta.url)))}; console.log(nativeSimd());`],
  { env: { ...process.env, TSGRAD_NATIVE_NO_SIMD: '1' }, encoding: 'utf8' });
  assert.equal(probe.stdout.trim(), 'scalar', probe.stderr);
  // Without NODE_TEST_CONTEXT: set by the parent runner, it would make the child report to it, not to stdout.
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  const r = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-reporter=tap', ...files], { env: { ...env, TSGRAD_NATIVE_NO_SIMD: '1' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 30).join('\n'));
  assert.match(r.stdout, /# fail 0/);
});
