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
    const args = ['--expose-gc', '--import', expect, '--test', '--test-concurrency=1', '--test-reporter=tap', ...FOLDERS.map((f) => `${dist}${f}/`)];
    // NODE_TEST_CONTEXT would make the nested runner report to this one instead of running the files.
    const env: NodeJS.ProcessEnv = { ...process.env, TSGRAD_BACKEND: backend, TSGRAD_EXPECT_BACKEND: backend, TSGRAD_TEST_BACKENDS: backend };
    delete env['NODE_TEST_CONTEXT'];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, `the nn/optim/layers tests failed on ${backend}:\n${out.slice(-4000)}`);
    const passed = Number(/^# pass (\d+)$/m.exec(r.stdout)?.[1] ?? 0);
    assert.ok(passed > 100, `expected the nn/optim/layers tests to run on ${backend}, saw ${passed} passing:\n${out.slice(-2000)}`);
    console.log(`# ${backend}: ${passed} nn/optim/layers tests passed`);
  });
}
