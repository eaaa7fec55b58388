import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { type Command, UsageError } from '../command.js';
import { loadGrid } from '../../experiments/grid.js';
import { runLocal } from '../../experiments/local.js';
import { readManifest, readManifestIfAny } from '../../experiments/manifest.js';
import { submitSlurm } from '../../experiments/slurm.js';
import { formatStatus, runStates, summarize } from '../../experiments/status.js';
import { writeJsonAtomic } from '../../experiments/results.js';
import { runTask } from '../../experiments/task.js';
import { join } from 'node:path';

const USAGE = `Usage:
  tsgrad sweep GRID [--executor local|slurm] [--jobs N] [--out DIR] [--only REGEX] [--dry-run]
                    [--partition P] [--time T] [--cpus-per-task N] [--max-parallel N] [--sbatch ARG]...
  tsgrad sweep status [--out DIR] [--resubmit] [--wait [SECONDS]]

Runs every configuration of a grid file (JSON or YAML; see docs/experiments.md) with tsgrad run-exp,
writing <out>/<run>.json per run (default out: results).

  --executor local   (default) child processes on this machine, --jobs N at a time (default 1).
                     Finished runs are skipped on re-run when their result records the
                     grid's configuration (hash); a changed, damaged or malformed result is redone.
                     A failed run is recorded in <out>/<run>.error.json and the others go on.
                     A second sweep on the same --out is refused while the first lives; the runs
                     die with the sweep (also on kill -9).
  --executor slurm   submits the runs that are not finished and not queued as one Slurm job array
                     (one configuration per task) and returns. Running it again resubmits exactly the
                     failed and killed runs. --partition/--time/--cpus-per-task/--sbatch pass options
                     to sbatch; --max-parallel N caps concurrent tasks (--array=...%N).
  --only REGEX       keep only runs whose name matches.
  --dry-run          print the runs and exit.
  --model-file F.js  the model of every run that sets no model-file: F.js's default export (or F.js#name,
                     or --model NAME in the grid for a model F.js registers); see docs/models.md.

  status             shows each run's state (done, failed, pending, running, missing, not-submitted)
                     and writes the gathered results to <out>/summary.json.
    --resubmit       resubmits failed and missing runs to Slurm (same sbatch options).
    --wait [S]       polls every S seconds (default 5) until nothing is pending or running.
Exit code: 0 when every run is done, 1 when some failed or are missing, 3 while some are still queued.`;

/** The command that starts this CLI (node + main.js), for child processes and Slurm tasks. */
function selfRunner(): string[] {
  return [process.execPath, fileURLToPath(new URL('../main.js', import.meta.url))];
}

function statusExit(states: Iterable<{ state: string }>): number {
  const s = [...states].map((x) => x.state);
  if (s.some((x) => x === 'pending' || x === 'running')) return 3;
  return s.every((x) => x === 'done') ? 0 : 1;
}

async function status(rawArgv: string[]): Promise<number> {
  // --wait takes an optional value: give a bare --wait its default.
  const argv = rawArgv.flatMap((a, i) => (a === '--wait' && (i + 1 >= rawArgv.length || rawArgv[i + 1]!.startsWith('-')) ? ['--wait', '5'] : [a]));
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string', default: 'results' }, resubmit: { type: 'boolean', default: false }, wait: { type: 'string' } }, allowPositionals: false });
  const outDir = resolve(values.out);
  let m = readManifest(outDir);
  if (values.resubmit) {
    if (m.executor !== 'slurm') throw new UsageError(`sweep status --resubmit: the sweep in ${outDir} ran locally; rerun tsgrad sweep ${m.grid} --out ${values.out} instead`);
    const r = submitSlurm(m.runs, { outDir, runner: selfRunner(), grid: m.grid, sbatchArgs: m.sbatchArgs });
    process.stdout.write(r.jobId ? `resubmitted ${r.submitted.length} run(s) as job ${r.jobId}: ${r.submitted.join(', ')}\n` : 'nothing to resubmit\n');
    m = readManifest(outDir);
  }
  const waitS = values.wait === undefined ? null : values.wait === '' ? 5 : Number(values.wait);
  if (waitS !== null && !(waitS > 0)) throw new UsageError(`sweep status: --wait takes seconds > 0, got ${values.wait}`);
  let states = runStates(m);
  while (waitS !== null && statusExit(states.values()) === 3) {
    await new Promise((r) => setTimeout(r, waitS * 1000));
    states = runStates(m);
  }
  process.stdout.write(formatStatus(states.values()));
  writeJsonAtomic(join(outDir, 'summary.json'), { grid: m.grid, executor: m.executor, gatheredAt: new Date().toISOString(), runs: summarize(states.values()) });
  return statusExit(states.values());
}

async function task(argv: string[]): Promise<number> {
  const [snapshot, idx] = argv;
  if (!snapshot || idx === undefined || !/^\d+$/.test(idx)) throw new UsageError('sweep task SNAPSHOT INDEX: internal, run by each Slurm array task');
  const { spec, outcome } = await runTask(snapshot, Number(idx), selfRunner());
  process.stdout.write(`${spec.runName}: ${outcome}\n`);
  return outcome === 'failed' ? 1 : 0;
}

async function sweep(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      executor: { type: 'string', default: 'local' },
      jobs: { type: 'string', short: 'j', default: '1' },
      out: { type: 'string', short: 'o', default: 'results' },
      only: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      partition: { type: 'string' },
      time: { type: 'string' },
      'cpus-per-task': { type: 'string' },
      'max-parallel': { type: 'string' },
      sbatch: { type: 'string', multiple: true, default: [] },
      'model-file': { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`sweep: expected one grid file, got ${positionals.length ? positionals.join(' ') : 'none'}\n${USAGE}`);
  const gridPath = resolve(positionals[0]!);
  let specs = loadGrid(gridPath, values['model-file'] !== undefined ? { modelFile: values['model-file'] } : {});
  if (values.only) {
    const re = new RegExp(values.only);
    specs = specs.filter((s) => re.test(s.runName));
  }
  const outDir = resolve(values.out);
  if (values['dry-run']) {
    for (const s of specs) process.stdout.write(`${s.index}\t${s.runName}\n`);
    return 0;
  }
  if (values.executor === 'local') {
    const jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`sweep: --jobs takes an integer >= 1, got ${values.jobs}`);
    const t0 = Date.now();
    // SIGINT/SIGTERM end the sweep; its runs notice their parent is gone and stop too.
    const stop = (sig: NodeJS.Signals): void => {
      process.stderr.write(`sweep: ${sig}, stopping\n`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
    const sum = await runLocal(specs, {
      outDir,
      jobs,
      runner: selfRunner(),
      grid: gridPath,
      onEvent: ({ spec, phase }) => {
        if (phase !== 'skipped') process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${spec.runName}: ${phase}\n`);
      },
      onNotice: (msg) => process.stdout.write(`sweep: ${msg}\n`),
    });
    process.stdout.write(`sweep: ${sum.done.length} done, ${sum.skipped.length} skipped (finished earlier), ${sum.failed.length} failed${sum.failed.length ? ': ' + sum.failed.join(', ') : ''}\n`);
    const m = readManifestIfAny(outDir)!;
    const states = runStates(m);
    writeJsonAtomic(join(outDir, 'summary.json'), { grid: m.grid, executor: m.executor, gatheredAt: new Date().toISOString(), runs: summarize(states.values()) });
    return sum.failed.length ? 1 : 0;
  }
  if (values.executor === 'slurm') {
    const sb = [...values.sbatch];
    if (values.partition) sb.push(`--partition=${values.partition}`);
    if (values.time) sb.push(`--time=${values.time}`);
    if (values['cpus-per-task']) sb.push(`--cpus-per-task=${values['cpus-per-task']}`);
    const mp = values['max-parallel'] === undefined ? 0 : Number(values['max-parallel']);
    if (!Number.isInteger(mp) || mp < 0) throw new UsageError(`sweep: --max-parallel takes an integer >= 0, got ${values['max-parallel']}`);
    const r = submitSlurm(specs, { outDir, runner: selfRunner(), grid: gridPath, sbatchArgs: sb, maxParallel: mp });
    if (r.jobId) process.stdout.write(`submitted ${r.submitted.length} run(s) as Slurm job array ${r.jobId}; ${r.skipped.length} finished or queued already\nfollow with: tsgrad sweep status --out ${values.out} [--wait]\n`);
    else process.stdout.write(`nothing to submit: all ${r.skipped.length} run(s) finished or queued\n`);
    return 0;
  }
  throw new UsageError(`sweep: --executor must be local or slurm, got ${JSON.stringify(values.executor)}`);
}

/** `tsgrad sweep`: runs a grid of experiments locally or on Slurm; `sweep status` follows it. */
export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run a grid of experiments locally or as a Slurm job array; sweep status follows it',
  usage: USAGE,
  run(argv) {
    if (argv[0] === 'status') return status(argv.slice(1));
    if (argv[0] === 'task') return task(argv.slice(1));
    return sweep(argv);
  },
};
