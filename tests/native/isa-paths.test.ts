import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeHostIsa, nativeIsa, type NativeIsa } from '../../src/backend/native/index.js';
import { skip } from './util.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ISAS: NativeIsa[] = ['avx512', 'avx2', 'portable'];

// The native kernels come in up to three ISA paths chosen at load (TSGRAD_ISA lowers the choice):
// AVX-512, AVX2+FMA and portable loops. This process runs the native kernel tests on the path the
// host picks by default; here every other path the host supports reruns them in a child process
// with TSGRAD_ISA set. Paths the host lacks cannot run here, and the output says so.
const host = skip ? null : nativeHostIsa();
const active = skip ? null : nativeIsa();
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.js') && f !== 'isa-paths.test.js' && f !== 'fallback.test.js')
  .map((f) => here + f);

/** Which ISA a child process started with this TSGRAD_ISA reports. */
function childIsa(isa: NativeIsa): string {
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e',
    `import { nativeIsa } from ${JSON.stringify(fileURLToPath(new URL('../../src/backend/native/index.js', import.meta.url)))}; console.log(nativeIsa());`],
  { env: { ...process.env, TSGRAD_ISA: isa, TSGRAD_NATIVE_NO_SIMD: '' }, encoding: 'utf8' });
  return probe.stdout.trim() + probe.stderr;
}

test('the native ISA paths: which this host runs, each checked against ref', { skip }, (t) => {
  assert.ok(host !== null && active !== null && ISAS.includes(host) && ISAS.includes(active), `isa ${active} host ${host}`);
  t.diagnostic(`host ISA: ${host}; this process runs the ${active} path (every native test file here checks it against ref)`);
  for (const isa of ISAS) {
    if (ISAS.indexOf(isa) < ISAS.indexOf(host!)) t.diagnostic(`${isa} path: NOT RUN (this CPU/OS supports at most ${host})`);
    else if (isa === active) t.diagnostic(`${isa} path: exercised (this process)`);
    else t.diagnostic(`${isa} path: exercised (child process below, TSGRAD_ISA=${isa})`);
  }
});

for (const isa of ISAS) {
  test(`the ${isa} native kernels pass the native kernel tests (TSGRAD_ISA=${isa}, child process)`, { skip }, (t) => {
    if (ISAS.indexOf(isa) < ISAS.indexOf(host!)) {
      // The suite passes on such a host; the path is reported as not run, never as passed.
      t.diagnostic(`${isa} path NOT RUN: this CPU/OS supports at most ${host}`);
      return;
    }
    if (isa === active) {
      t.diagnostic(`${isa} is this process's path: the native test files run it directly`);
      return;
    }
    assert.ok(files.length >= 7, `found only ${files.length} native test files`);
    assert.equal(childIsa(isa), isa, `a child with TSGRAD_ISA=${isa} reports that path`);
    // Without NODE_TEST_CONTEXT: set by the parent runner, it would make the child report to it, not to stdout.
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--expose-gc', '--test', '--test-reporter=tap', ...files],
      { env: { ...env, TSGRAD_ISA: isa, TSGRAD_NATIVE_NO_SIMD: '' }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 30).join('\n'));
    assert.match(r.stdout, /# fail 0/);
    const passed = /# pass (\d+)/.exec(r.stdout)?.[1];
    t.diagnostic(`${isa} path exercised: ${passed} native tests passed in the child`);
  });
}

test('TSGRAD_ISA asking for more than the host has, or for nothing known, warns and runs the best path', { skip }, () => {
  const out = childIsa('bogus' as NativeIsa);
  assert.match(out, /TSGRAD_ISA=bogus is not one of avx512, avx2, portable/);
  assert.ok(out.startsWith(host!), out);
  if (host !== 'avx512') {
    const o = childIsa('avx512');
    assert.match(o, /supports at most/);
    assert.ok(o.startsWith(host!), o);
  }
});
