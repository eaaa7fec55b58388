import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as io from '../../src/io/index.js';
import { REPO_ROOT, flat } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-convert-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function tsgrad(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('tsgrad convert: .pth -> .safetensors -> .pth keeps every tensor, --prefix selects and strips', () => {
  const pth = `${REPO_ROOT}tests/fixtures/io/checkpoint.pth`;
  const st = join(tmp, 'model.safetensors');
  const back = join(tmp, 'back.pth');
  const r1 = tsgrad('convert', pth, st, '--prefix', 'model.');
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /7 tensors/);
  const r2 = tsgrad('convert', st, back);
  assert.equal(r2.code, 0, r2.stderr);
  const orig = io.loadTorch(pth);
  const got = io.loadTorch(back);
  assert.deepEqual([...got.keys()], ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  for (const [k, t] of got) assert.deepEqual(flat(t), flat(orig.get(`model.${k}`)!), k);
});

test('tsgrad convert: a refused checkpoint or an unknown extension is a usage error naming it', () => {
  const r = tsgrad('convert', `${REPO_ROOT}tests/fixtures/io/module.pth`, join(tmp, 'x.safetensors'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /module\.pth: the pickle names the global torch\.nn\.modules\.linear\.Linear/);
  const r2 = tsgrad('convert', 'a.txt', 'b.safetensors');
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /cannot tell the format of a\.txt/);
});
