import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { skipFor, suiteBackends } from '../backends.js';

const child = fileURLToPath(new URL('./fuzz-child.js', import.meta.url));
const seed = process.env['TSGRAD_FUZZ_SEED'] ?? '20261204';

interface Summary {
  calls: number;
  rejected: number;
  validRan: number;
  raw: number;
  rawRejected: number;
  failures: string[];
  failureCount: number;
}

for (const backend of suiteBackends()) {
  test(`boundary fuzz [${backend}]: bad views, strides, sizes, codes and dtypes into every kernel give JS errors, never a crash (seed ${seed})`, { skip: skipFor(backend, 'fuzz/boundary') }, () => {
    const r = spawnSync(process.execPath, [child, backend, seed, '40'], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, TSGRAD_BACKEND: backend } });
    assert.equal(r.signal, null, `the fuzz child died of ${r.signal}: a crash at the boundary. stderr: ${r.stderr.slice(-2000)}`);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    let s: Summary;
    try {
      s = JSON.parse(last) as Summary;
    } catch {
      assert.fail(`the fuzz child (status ${r.status}) printed no summary: ${r.stdout.slice(-1000)} ${r.stderr.slice(-2000)}`);
    }
    assert.deepEqual(s.failures, [], `${s.failureCount} failures`);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    console.log(`# ${backend}: ${s.calls} calls (${s.validRan} valid ran, ${s.rejected} rejected with a TsgradError), ${s.raw} raw dispatcher calls (${s.rawRejected} rejected)`);
    assert.ok(s.calls >= 25 * 40 * 0.9 && s.rejected > s.calls * 0.4, 'the fuzz must mostly hit rejected calls');
    assert.ok(s.validRan > s.calls * 0.15, 'valid calls run');
    if (backend === 'native') assert.ok(s.raw > 1000 && s.rawRejected > 0);
  });
}
