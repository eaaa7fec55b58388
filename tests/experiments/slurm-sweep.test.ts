import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT, sharedDatasets } from '../helpers.js';
import { cli, TINY_GRID_DEFAULTS } from './cli-helper.js';

// The real thing: tools/slurm/setup.sh installs Debian's slurmctld, slurmd and munge and starts a
// one-node cluster on loopback; a small grid then goes through sbatch as a job array.
// Skipped (with the reason) only when apt cannot install the packages, or when not root.
function setupCluster(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to install and start Slurm (CI runs as root)';
  const r = spawnSync('bash', [join(REPO_ROOT, 'tools/slurm/setup.sh')], { encoding: 'utf8', timeout: 900_000 });
  if (r.status === 3) return `apt could not install Slurm (no package mirror reachable): ${r.stderr.trim().split('\n').slice(-2).join(' ')}`;
  if (r.status !== 0) throw new Error(`tools/slurm/setup.sh failed (exit ${r.status}):\n${r.stderr}`);
  return null;
}

const PID_FILES = [join(process.env['TSGRAD_SLURM_DIR'] ?? '/tmp/tsgrad-slurm', 'slurmctld.pid'), join(process.env['TSGRAD_SLURM_DIR'] ?? '/tmp/tsgrad-slurm', 'slurmd.pid'), '/run/munge/munged.pid'];

/** PIDs of the cluster's daemons that are running (from their pid files). */
function livePids(): number[] {
  const out: number[] = [];
  for (const f of PID_FILES) {
    try {
      const pid = Number(readFileSync(f, 'utf8').trim());
      process.kill(pid, 0);
      out.push(pid);
    } catch {
      // No pid file, or its process is gone.
    }
  }
  return out;
}

// A cluster that was up before the suite is someone's: leave it. One the suite started is stopped.
const runningBefore = process.getuid?.() === 0 ? livePids() : [];
const skip = setupCluster();

after(() => {
  if (skip !== null || runningBefore.length > 0) return;
  const started = livePids();
  const r = spawnSync('bash', [join(REPO_ROOT, 'tools/slurm/teardown.sh')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const stillAlive = started.filter((pid) => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return st.slice(st.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return false;
    }
  });
  assert.deepEqual(stillAlive, [], 'slurmctld, slurmd and munged stopped at the end of the suite');
});

const GRID = `
${TINY_GRID_DEFAULTS}experiments:
  - { name: sl, model: cnn, K: [[4], [6]], L: 1, P: 1 }
  - { name: slres, model: resnet, K: [4], L: 2, P: 2, batchnorm: true }
  # More data and epochs: long enough to be killed while it runs.
  - { name: slow, model: cnn, K: [8], L: 1, P: 1, subset-train: 1000, epochs: 2 }
`;

function squeueTasks(): string[] {
  return execFileSync('squeue', ['-h', '-r', '-o', '%F_%K %T'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

async function waitFor(what: string, cond: () => boolean, timeoutS: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutS * 1000) throw new Error(`timed out after ${timeoutS} s waiting for ${what}; queue: ${squeueTasks().join('; ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('tsgrad sweep --executor slurm (a real single-node cluster)', { skip: skip ?? false }, () => {
  it('runs a grid as a job array, reports status, and resubmits a killed task without losing results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-sweep-slurm-'));
    chmodSync(dir, 0o755);
    const grid = join(dir, 'grid.yaml');
    writeFileSync(grid, GRID);
    const out = join(dir, 'out');
    const env = { TSGRAD_DATA: sharedDatasets() };

    const sub = await cli(['sweep', grid, '--executor', 'slurm', '--out', out], env);
    assert.equal(sub.code, 0, sub.stderr);
    const jobId = /Slurm job array (\d+)/.exec(sub.stdout)?.[1];
    assert.ok(jobId, sub.stdout);
    assert.match(sub.stdout, /submitted 4 run\(s\)/);
    const manifest = JSON.parse(readFileSync(join(out, '.sweep', 'manifest.json'), 'utf8'));
    assert.deepEqual(manifest.submissions[0].indices, [0, 1, 2, 3]);

    // Kill the slow run (grid index 3) once Slurm runs it.
    await waitFor('task 3 to run', () => squeueTasks().includes(`${jobId}_3 RUNNING`), 120);
    execFileSync('scancel', [`${jobId}_3`]);
    await waitFor('the other tasks to finish', () => squeueTasks().every((l) => !l.startsWith(`${jobId}_`)), 180);

    const mid = await cli(['sweep', 'status', '--out', out]);
    assert.equal(mid.code, 1, 'a missing run makes status exit 1');
    assert.match(mid.stdout, new RegExp(`slow_L1_K8\\s+missing\\s.*job ${jobId}_3`));
    assert.match(mid.stdout, /total 4: 3 done, 1 missing/);
    assert.ok(!existsSync(join(out, 'slow_L1_K8.json')));
    const kept = readFileSync(join(out, 'sl_L1_K4.json'), 'utf8');

    // Resubmit: only the killed run goes back to Slurm; the finished results stay as they were.
    const re = await cli(['sweep', 'status', '--out', out, '--resubmit', '--wait', '1'], env);
    assert.equal(re.code, 0, re.stdout + re.stderr);
    assert.match(re.stdout, /resubmitted 1 run\(s\) as job \d+: slow_L1_K8/);
    assert.match(re.stdout, /total 4: 4 done/);
    assert.equal(readFileSync(join(out, 'sl_L1_K4.json'), 'utf8'), kept);

    const expected: [string, number[], string, number, number][] = [
      ['sl_L1_K4', [4], 'cnn', 200, 1],
      ['sl_L1_K6', [6], 'cnn', 200, 1],
      ['slres_L2_K4', [4], 'resnet', 200, 1],
      ["slow_L1_K8", [8], "cnn", 1000, 2],
    ];
    for (const [name, K, model, n, epochs] of expected) {
      const r = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
      assert.equal(r.runName, name);
      assert.deepEqual([r.config.K, r.config.model, r.dataSource.numTrain + r.dataSource.numVal, r.result.numEpochs], [K, model, n, epochs]);
      assert.equal(r.dataSource.numVal, Math.round(0.1 * n)); // the default val-split
      assert.equal(r.result.testAcc.length, epochs);
      assert.ok(r.result.testLoss.every((x: number) => x > 0 && x < 3), `${name} test loss ${r.result.testLoss}`);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.runs.map((r: { state: string }) => r.state), ['done', 'done', 'done', 'done']);
    // Every task's log is kept beside the manifest.
    assert.ok(existsSync(join(out, '.sweep', 'logs', `${jobId}_0.out`)));

    // Everything is finished: submitting the grid again submits nothing.
    const again = await cli(['sweep', grid, '--executor', 'slurm', '--out', out], env);
    assert.match(again.stdout, /nothing to submit: all 4 run\(s\) finished or queued/);
  });
});

if (skip) process.stdout.write(`# slurm sweep test skipped: ${skip}\n`);
