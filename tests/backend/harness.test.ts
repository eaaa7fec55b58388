import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as tg from '../../src/index.js';
import { nativeBackend, nativeLoadError } from '../../src/backend/native/index.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { SKIPS, allowMissingVar, onBackend, skipFor, suiteBackends } from '../backends.js';
import { REPO_ROOT } from '../helpers.js';

test('skip lists only shrink: every entry is in the committed baseline', () => {
  const baseline = JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/backends/skips.baseline.json`, 'utf8')) as Record<string, string[]>;
  for (const [backend, list] of Object.entries(SKIPS)) {
    const allowed = new Set(baseline[backend] ?? []);
    assert.deepEqual(list.filter((id) => !allowed.has(id)), [], `backend ${backend}: skip entries not in tests/fixtures/backends/skips.baseline.json (a skip list may only shrink)`);
  }
});

test('every suite backend runs as itself', () => {
  const names = suiteBackends();
  assert.ok(names.includes('ref'));
  for (const name of names) {
    if (skipFor(name, 'harness/self')) {
      console.log(`# ${name}: ${String(skipFor(name, 'harness/self'))}`);
      continue;
    }
    onBackend(name, () => assert.equal(tg.getBackend().name, name));
  }
});

/** Is there a C++ compiler on PATH (what node-gyp would use)? */
function compiler(): string | null {
  for (const cc of [process.env['CXX'], 'c++', 'g++', 'clang++']) {
    if (!cc) continue;
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return cc;
  }
  return null;
}

test('the native addon is built, unless TSGRAD_ALLOW_NO_NATIVE=1 says to run without it', () => {
  if (nativeBackend()) return;
  const cc = compiler();
  const why = `the native addon did not load (${nativeLoadError()})`;
  if (process.env[allowMissingVar('native')] === '1') {
    console.log(`# ${why}; TSGRAD_ALLOW_NO_NATIVE=1: the suite runs on ref only`);
    return;
  }
  assert.fail(cc
    ? `${why} although a C++ compiler (${cc}) is here: fix the build (node tools/build-native.mjs shows its log). To run the suite on ref only, set TSGRAD_ALLOW_NO_NATIVE=1.`
    : `${why} and no C++ compiler was found: install one (g++ or clang++) and run node tools/build-native.mjs, or set TSGRAD_ALLOW_NO_NATIVE=1 to run the suite on ref only.`);
});

test('asking for a backend that hands its calls to another one fails, naming the switch', () => {
  tg.registerBackend('phantom-test', () => refBackend, false, () => 'phantom-test: no device here');
  assert.throws(() => onBackend('phantom-test', () => 1), /asked for backend 'phantom-test' but runs 'ref': phantom-test: no device here\. .*TSGRAD_ALLOW_NO_PHANTOM_TEST=1/);
  process.env['TSGRAD_ALLOW_NO_PHANTOM_TEST'] = '1';
  try {
    assert.match(String(skipFor('phantom-test', 'x')), /phantom-test: no device here \(TSGRAD_ALLOW_NO_PHANTOM_TEST=1\)/);
  } finally {
    delete process.env['TSGRAD_ALLOW_NO_PHANTOM_TEST'];
  }
  assert.equal(skipFor('ref', 'fixtures/any'), false);
});
