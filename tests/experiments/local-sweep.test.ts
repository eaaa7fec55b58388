import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, sharedDatasets } from '../helpers.js';
import { cli, TINY_GRID_DEFAULTS } from './cli-helper.js';

const GRID = `
${TINY_GRID_DEFAULTS}experiments:
  - { name: loc, model: cnn, K: [[4], [6]], L: 1, P: 1 }
  # 6 pools shrink 28x28 to nothing: this run must fail with a clear error, the others go on.
  - { name: bad, model: cnn, K: [4], L: 6, P: 1 }
`;

describe('tsgrad sweep --executor local', () => {
  it('runs a grid in parallel, records a failure, and skips finished runs on re-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-sweep-local-'));
    const grid = join(dir, 'grid.yaml');
    writeFileSync(grid, GRID);
    const out = join(dir, 'out');
    const env = { TSGRAD_DATA: sharedDatasets() };
    const first = await cli(['sweep', grid, '--jobs', '2', '--out', out], env);
    assert.equal(first.code, 1, `one run fails, so the sweep exits 1\n${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /sweep: 2 done, 0 skipped \(finished earlier\), 1 failed: bad_L6_K4/);
    for (const [name, k] of [['loc_L1_K4', 4], ['loc_L1_K6', 6]] as const) {
      const r = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
      assert.equal(r.runName, name);
      assert.deepEqual(r.config.K, [k]);
      assert.equal(r.config.subsetTrain, 200);
      assert.deepEqual([r.dataSource.numTrain, r.dataSource.numVal, r.dataSource.numTest], [180, 20, 100]); // val-split 0.1 of the 200
      assert.equal(r.result.numEpochs, 1);
      for (const key of ['trainLoss', 'trainAcc', 'testLoss', 'testAcc']) assert.equal(r.result[key].length, 1, key);
      // One epoch from random weights: the loss is near ln(10) = 2.30 and the accuracy a multiple of 1/100.
      assert.ok(r.result.testLoss[0] > 1 && r.result.testLoss[0] < 3, `test loss ${r.result.testLoss[0]}`);
      assert.ok(Number.isInteger(Math.round(r.result.testAcc[0] * 100 * 1e6) / 1e6));
      // Parameters: conv 1→k 3×3 (9k+k), pool to 14×14, Linear 196k→16, Linear 16→10.
      assert.equal(r.numParams, 10 * k + (196 * k * 16 + 16) + (16 * 10 + 10));
    }
    const err = JSON.parse(readFileSync(join(out, 'bad_L6_K4.error.json'), 'utf8'));
    assert.match(err.error, /ConvClassifier: the 28×28 input shrinks to 0×0 after 5 of its 6 2×2 poolings/);
    assert.equal(err.exitCode, 1);
    assert.ok(!existsSync(join(out, 'bad_L6_K4.json')));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.runs.map((r: { runName: string; state: string }) => [r.runName, r.state]), [['loc_L1_K4', 'done'], ['loc_L1_K6', 'done'], ['bad_L6_K4', 'failed']]);

    const mtime = statSync(join(out, 'loc_L1_K4.json')).mtimeMs;
    const second = await cli(['sweep', grid, '--jobs', '2', '--out', out], env);
    assert.match(second.stdout, /sweep: 0 done, 2 skipped \(finished earlier\), 1 failed: bad_L6_K4/);
    assert.equal(statSync(join(out, 'loc_L1_K4.json')).mtimeMs, mtime, 'a finished run is not rerun');

    const status = await cli(['sweep', 'status', '--out', out]);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /loc_L1_K4\s+done\s+1/);
    assert.match(status.stdout, /bad_L6_K4\s+failed\s.*shrinks to 0×0/);
    assert.match(status.stdout, /total 3: 2 done, 1 failed/);

    // plot-exp draws the matched runs together: both names in the SVG, a real PNG beside it.
    const plot = await cli(['plot-exp', 'loc_*', '--results', out]);
    assert.equal(plot.code, 0, plot.stderr);
    assert.match(plot.stdout, /plotted 2 run\(s\): loc_L1_K4, loc_L1_K6/);
    const svg = readFileSync(join(out, 'plots', 'loc_all.svg'), 'utf8');
    assert.ok(svg.startsWith('<svg') && svg.includes('loc_L1_K4') && svg.includes('loc_L1_K6'));
    assert.ok(!svg.includes('bad_L6_K4'));
    const png = readFileSync(join(out, 'plots', 'loc_all.png'));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const none = await cli(['plot-exp', 'nothing_*', '--results', out]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no run in .* matches "nothing_\*"/);
  });

  it('names a missing grid file and a bad executor', async () => {
    const r = await cli(['sweep', join(REPO_ROOT, 'no-such-grid.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /grid: cannot read .*no-such-grid\.yaml/);
    const e = await cli(['sweep', join(REPO_ROOT, 'examples/grids/tiny.yaml'), '--executor', 'cloud']);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /--executor must be local or slurm, got "cloud"/);
  });
});
