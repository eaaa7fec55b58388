import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDatasets } from '../helpers.js';

// The compiled examples sit beside the compiled tests: dist*/examples/.
const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));

describe('examples (run as child processes)', () => {
  it('linear-rotation: the product of the learned weight matrices approaches [[0,-1],[1,0]]', () => {
    const out = execFileSync(process.execPath, [example('linear-rotation.js'), '--steps', '3000', '--seed', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /max \|W₂·W₁ - R\| = (\S+)/.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[1]) < 1e-3, out);
  });

  const mnist = join(sharedDatasets(), 'mnist', 't10k-images-idx3-ubyte.gz');
  it('mnist-two-digits: one epoch separates 0 from 1 and writes its figures', { skip: !existsSync(mnist) && `no MNIST at ${mnist}` }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-two-digits-'));
    const out = execFileSync(process.execPath, [example('mnist-two-digits.js'), '--digits', '0,1', '--epochs', '1', '--hidden', '16', '--data-dir', sharedDatasets(), '--out', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const res = JSON.parse(out.trim().split('\n').pop()!) as { testAccuracy: number; testImages: number };
    assert.equal(res.testImages, 980 + 1135);
    assert.ok(res.testAccuracy > 0.98, out);
    for (const f of ['training-loss', 'test-accuracy', 'test-predictions']) {
      assert.ok(existsSync(join(dir, `${f}.svg`)) && existsSync(join(dir, `${f}.png`)), f);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
