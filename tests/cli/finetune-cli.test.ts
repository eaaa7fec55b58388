import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as io from '../../src/io/index.js';
import { buildCnn } from '../../src/train/models.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-finetune-cli-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function tsgrad(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TSGRAD_DATA: join(tmp, 'nodata') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('tsgrad finetune --arch cnn --weights FILE.pth: reports per-epoch accuracy and saves the model', () => {
  const pth = join(tmp, 'cnn.pth');
  io.saveTorch(buildCnn([1, 28, 28], 10).stateDict(), pth);
  const out = join(tmp, 'run');
  const r = tsgrad('finetune', '--arch', 'cnn', '--weights', pth, '--dataset', 'fashion-mnist', '--epochs', '2', '--limit-train', '200', '--limit-test', '100', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1290 of 215370 parameters trained \(backbone frozen\)/);
  assert.match(r.stdout, /epoch 2\/2: train loss [\d.]+, train acc [\d.]+%, test acc [\d.]+%/);
  assert.ok(existsSync(join(out, 'model.safetensors')));
  const j = JSON.parse(readFileSync(join(out, 'finetune.json'), 'utf8')) as { result: { trainImages: number } };
  assert.equal(j.result.trainImages, 200);
});

test('tsgrad finetune: a missing weights file or a torchvision name for the cnn is a usage error', () => {
  const r = tsgrad('finetune', '--arch', 'resnet18', '--weights', join(tmp, 'nope.pth'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--weights .*nope\.pth does not exist/);
  const r2 = tsgrad('finetune', '--arch', 'cnn', '--weights', 'IMAGENET1K_V1');
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--arch cnn takes a weights file/);
});
