import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { skip } from './util.js';

const child = fileURLToPath(new URL('./oom-child.js', import.meta.url));

test('running out of memory inside a kernel is a JS error naming the kernel, and the addon keeps working', { skip }, () => {
  // 2.5 GB of address space: enough for Node and the 64 MB input, not for the 1.6 GB im2col buffer.
  const r = spawnSync('bash', ['-c', `ulimit -v 2500000 && exec "${process.execPath}" "${child}"`], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.signal, null, `the child died of ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['caught: tsgrad native: conv2d: out of memory', 'after: 9,9,9,9']);
});
