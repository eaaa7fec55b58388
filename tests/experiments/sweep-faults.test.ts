// Fault tests of local sweeps (issue 17, findings 4 and 5): stale results redone when the grid
// changes, damaged and malformed result files marked failed and redone, the PID lock, and kill -9
// of a sweep (its runs die with it; the rerun loses and duplicates nothing).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sharedDatasets } from '../helpers.js';
import { cli, TINY_GRID_DEFAULTS } from './cli-helper.js';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;
const env = { TSGRAD_DATA: sharedDatasets() };

function grid(dir: string, extra: string, seed = 5): string {
  const p = join(dir, 'grid.yaml');
  writeFileSync(p, `${TINY_GRID_DEFAULTS}  seed: ${seed}\nexperiments:\n${extra}`);
  return p;
}

/** Whether a process runs (a zombie waiting for a reaper that never comes does not count). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

describe('sweep faults', () => {
  it('a result made with another configuration is redone, not reused (finding 4)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-sweep-stale-'));
    try {
      const out = join(dir, 'out');
      const runs = '  - { name: st, model: cnn, K: [4], L: 1, P: 1 }\n';
      const first = await cli(['sweep', grid(dir, runs, 5), '--out', out], env);
      assert.equal(first.code, 0, first.stderr);
      const again = await cli(['sweep', grid(dir, runs, 5), '--out', out], env);
      assert.match(again.stdout, /0 done, 1 skipped/);
      const changed = await cli(['sweep', grid(dir, runs, 6), '--out', out], env);
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /st_L1_K4: the stored result was made with another configuration than the grid's; running it again/);
      assert.match(changed.stdout, /1 done, 0 skipped/);
      const r = JSON.parse(readFileSync(join(out, 'st_L1_K4.json'), 'utf8')) as { config: { seed: number }; configHash: string };
      assert.equal(r.config.seed, 6);
      assert.match(r.configHash, /^[0-9a-f]{16}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('damaged and malformed result files: status and plot-exp report them, the sweep redoes them (finding 5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-sweep-bad-'));
    try {
      const out = join(dir, 'out');
      const g = grid(dir, '  - { name: bd, model: cnn, K: [[4], [6]], L: 1, P: 1 }\n');
      assert.equal((await cli(['sweep', g, '--out', out], env)).code, 0);
      writeFileSync(join(out, 'bd_L1_K4.json'), '{"runName": "bd_L1_K4", "conf');
      writeFileSync(join(out, 'bd_L1_K6.json'), JSON.stringify({ runName: 'bd_L1_K6', config: {}, result: {} }));
      const st = await cli(['sweep', 'status', '--out', out]);
      assert.equal(st.code, 1, st.stderr);
      assert.match(st.stdout, /bd_L1_K4\s+failed\s+.*damaged: not valid JSON/);
      assert.match(st.stdout, /bd_L1_K6\s+failed\s+.*damaged: result.numEpochs is not a number/);
      const plot = await cli(['plot-exp', 'bd_*', '--results', out]);
      assert.equal(plot.code, 2, plot.stderr);
      assert.match(plot.stderr, /skipping .*bd_L1_K4\.json is damaged/);
      assert.match(plot.stderr, /no run in .* matches/);
      const rerun = await cli(['sweep', g, '--out', out], env);
      assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
      assert.match(rerun.stdout, /2 done, 0 skipped/);
      assert.equal((await cli(['sweep', 'status', '--out', out])).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second sweep on the same folder is refused while the first lives; a dead one\'s lock is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-sweep-lock-'));
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const out = join(dir, 'out');
      const g = grid(dir, '  - { name: lk, model: cnn, K: [4], L: 1, P: 1 }\n');
      const sweepDir = join(out, '.sweep');
      // A live process holds the lock.
      mkdirSync(sweepDir, { recursive: true });
      writeFileSync(join(sweepDir, 'lock'), `${sleeper.pid}\n`);
      const refused = await cli(['sweep', g, '--out', out], env);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`another sweep \\(PID ${sleeper.pid}\\) is running in`));
      assert.ok(!existsSync(join(out, 'lk_L1_K4.json')));
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper.once('exit', r));
      const ok = await cli(['sweep', g, '--out', out], env);
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok(!existsSync(join(sweepDir, 'lock')), 'lock released');
    } finally {
      sleeper.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill -9 of a sweep: its runs die with it, and the rerun finishes every run once (finding 5)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-sweep-kill-'));
    try {
      const out = join(dir, 'out');
      const g = grid(dir, '  - { name: kl, model: cnn, K: [[4], [5], [6]], L: 1, P: 1, epochs: 3 }\n');
      const sweep = spawn(process.execPath, [MAIN, 'sweep', g, '--jobs', '2', '--out', out], { env: { ...process.env, ...env }, stdio: 'ignore' });
      // Wait until both run processes are up, then kill the sweep outright.
      let kids: number[] = [];
      for (let i = 0; i < 600 && kids.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
        kids = childrenOf(sweep.pid!);
      }
      assert.equal(kids.length, 2, 'two runs started');
      await new Promise((r) => setTimeout(r, 1500));
      sweep.kill('SIGKILL');
      await new Promise((r) => sweep.once('exit', r));
      for (let i = 0; i < 100 && kids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(kids.filter(alive), [], 'the runs died with the sweep');
      const before = readdirSync(out).filter((f) => /^kl_.*\.json$/.test(f) && !f.endsWith('.error.json'));
      const rerun = await cli(['sweep', g, '--jobs', '2', '--out', out], env);
      assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
      assert.match(rerun.stdout, new RegExp(`${3 - before.length} done, ${before.length} skipped`));
      const results = readdirSync(out).filter((f) => /^kl_.*\.json$/.test(f));
      assert.deepEqual(results.sort(), ['kl_L1_K4.json', 'kl_L1_K5.json', 'kl_L1_K6.json']);
      assert.deepEqual(readdirSync(out).filter((f) => /\.tmp-/.test(f)), []);
      console.log(`sweep kill -9 fault test: ${kids.length} runs killed with the sweep, ${before.length} finished before, ${3 - before.length} redone`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
