import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import * as tg from '../../src/index.js';
import { skipFor, suiteBackends } from '../backends.js';

// The nn, optim and layers tests run on the default backend in the main `npm test` pass; here
// they run again, in child test runs, on every other registered backend (TSGRAD_BACKEND selects
// it, expect-backend.js asserts it in each test process).
const dist = fileURLToPath(new URL('../', import.meta.url));
const expect = fileURLToPath(new URL('./expect-backend.js', import.meta.url));
const FOLDERS = ['nn', 'optim', 'layers'];
const main = tg.getBackend().name;

for (const backend of suiteBackends()) {
  if (backend === main) continue;
  test(`nn, optim and layers tests on [${backend}]`, { skip: skipFor(backend, 'suite/nn-optim-layers'), timeout: 1_200_000 }, () => {
    const args = ['--expose-gc', '--import', expect, '--test', '--test-concurrency=1', '--test-reporter=dot', ...FOLDERS.map((f) => `${dist}${f}/`)];
    const r = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      env: { ...process.env, TSGRAD_BACKEND: backend, TSGRAD_EXPECT_BACKEND: backend, TSGRAD_TEST_BACKENDS: backend },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.status, 0, `the nn/optim/layers tests failed on ${backend}:\n${(r.stdout + r.stderr).slice(-4000)}`);
  });
}
