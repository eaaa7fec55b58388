/**
 * `npm run bench`: issue 5's workloads for tsgrad (every registered backend),
 * PyTorch and TensorFlow.js in one run, interleaved per workload; prints
 * figures, ratios and peak memory, and writes JSON. `--help` for flags.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';
import { measureWorkload, type CellResult, type MeasureOptions } from './measure.js';
import { computeRatios, renderReport, writeReport, type BenchReport } from './report.js';
import { allWorkloads, type WorkloadSpec } from './spec.js';
import { findOpenmpOpenblas, REPO_ROOT, tfjsSubject, torchProblem, torchSubject, tsgradSubject, type SubjectDef } from './subjects.js';

const USAGE = `Usage: npm run bench -- [flags]

Runs issue 5's benchmark workloads for tsgrad (each registered backend),
PyTorch and TensorFlow.js (cpu, wasm), interleaved, and prints figures,
ratios and peak memory. Writes JSON to bench/results/latest.json.

  --quick              few steps per cell (smoke run, under 2 minutes)
  --only LIST          workloads: W1,W2,W3,W4,W5 or single cells W1:512, W5:train, W5:infer
  --subjects LIST      tsgrad-<backend>, tsgrad (all backends), torch, tfjs-cpu, tfjs-wasm, tfjs
  --threads N          threads for tsgrad's native backend and PyTorch (default: cores = ${availableParallelism()})
  --rounds N           interleaved rounds per workload (default 3; quick 2)
  --budget S           seconds of timed steps per subject and workload (default 6; quick 0.6);
                       at least 3 timed steps each (quick: 1), after 1 or more warm-up steps
  --max-step S         skip slow pure-JS cells whose estimated step exceeds S seconds (default 15; quick 2)
  --out PATH           JSON report path (default bench/results/latest.json)
  --seed N             seed of the synthetic data and weights (default 0)
  --verbose            echo the workers' own output
  --help               this text`;

/** PyTorch's GEMM on a quiet machine of this kind (issue 5: about 160–185 GFLOP/s); less means a busy machine. */
const TORCH_QUIET_GFLOPS = 160;

/** Thrown for bad flags: printed without a stack trace, exit code 2. */
class UsageError extends Error {}

function positive(name: string, v: string | undefined, fallback: number, integer: boolean): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  return n;
}

/** Workloads selected by --only (all when absent). */
function selectWorkloads(only: string | undefined): WorkloadSpec[] {
  const all = allWorkloads();
  if (!only) return all;
  const picked = new Set<WorkloadSpec>();
  for (const raw of only.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [group, sub] = raw.toUpperCase().split(/[:\-=]/) as [string, string | undefined];
    const hits = all.filter((w) => w.group === group && (sub === undefined || (w.kind === 'gemm' ? String(w.n) === sub : w.kind.toUpperCase() === sub)));
    if (!hits.length) throw new UsageError(`--only: no workload ${JSON.stringify(raw)}; expected W1..W5, W1:256|512|1024|2048, W5:train or W5:infer`);
    hits.forEach((h) => picked.add(h));
  }
  return all.filter((w) => picked.has(w));
}

/** Subjects selected by --subjects, in table order: tsgrad (fast backends first), torch, tfjs. */
function selectSubjects(list: string | undefined, log: (s: string) => void): SubjectDef[] {
  const backends = tg.listBackends().sort((a, b) => (a === 'ref' ? 1 : b === 'ref' ? -1 : a.localeCompare(b)));
  const openblas = findOpenmpOpenblas();
  const all = [...backends.map(tsgradSubject), torchSubject(openblas), tfjsSubject('cpu'), tfjsSubject('wasm')];
  let wanted = all;
  if (list) {
    const names = new Set<string>();
    for (const raw of list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
      const key = raw === 'pytorch' ? 'torch' : raw;
      const hits = all.filter((s) => s.name === key || (key === 'tsgrad' && s.family === 'tsgrad') || (key === 'tfjs' && s.family === 'tfjs'));
      if (!hits.length) throw new UsageError(`--subjects: unknown subject ${JSON.stringify(raw)}; available: ${all.map((s) => s.name).join(', ')}, tsgrad, tfjs`);
      hits.forEach((h) => names.add(h.name));
    }
    wanted = all.filter((s) => names.has(s.name));
  }
  if (wanted.some((s) => s.name === 'torch')) {
    const problem = torchProblem();
    if (problem) {
      log(`PyTorch will not run: ${problem}`);
      wanted = wanted.filter((s) => s.name !== 'torch');
    } else if (!openblas) {
      log('warning: libopenblas0-openmp not found; PyTorch runs with the default BLAS, which is slower here (apt-get install libopenblas0-openmp)');
    }
  }
  return wanted;
}

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      subjects: { type: 'string' },
      threads: { type: 'string' },
      rounds: { type: 'string' },
      budget: { type: 'string' },
      'max-step': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const quick = values.quick!;
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed: expected a non-negative integer, got ${JSON.stringify(values.seed)}`);
  const opts: MeasureOptions = {
    threads: positive('threads', values.threads, availableParallelism(), true),
    seed,
    rounds: positive('rounds', values.rounds, quick ? 2 : 3, true),
    budget: positive('budget', values.budget, quick ? 0.6 : 6, false),
    minSteps: quick ? 1 : 3,
    warmup: quick ? 0.2 : 0.5,
    maxStep: positive('max-step', values['max-step'], quick ? 2 : 15, false),
    verbose: values.verbose!,
    log,
  };
  const out = resolve(values.out ?? `${REPO_ROOT}bench/results/latest.json`);
  const workloads = selectWorkloads(values.only);
  const subjects = selectSubjects(values.subjects, log);
  if (!subjects.length) throw new UsageError('no subject left to run');

  const started = Date.now();
  const loadStart = loadavg();
  log(`tsgrad bench: ${workloads.length} workloads × ${subjects.length} subjects (${subjects.map((s) => s.name).join(', ')}), ${opts.threads} threads${quick ? ', quick' : ''}; load average ${loadStart.map((v) => v.toFixed(2)).join(' ')}`);
  const cells: CellResult[] = [];
  for (const spec of workloads) {
    log(`${spec.id}: ${spec.title}`);
    cells.push(...(await measureWorkload(spec, subjects, opts)));
  }
  const infos: Record<string, unknown> = {};
  for (const c of cells) if (c.info && !(c.subject in infos)) infos[c.subject] = c.info;
  const names = subjects.map((s) => s.name);
  const report: BenchReport = {
    meta: {
      date: new Date(started).toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      host: hostname(),
      cpu: cpuModel(),
      // The native kernels' vector ISA path in this process (the workers report theirs in subjectInfo) and the widest the host has.
      isa: tg.nativeIsa() ?? 'no native addon',
      hostIsa: tg.nativeHostIsa() ?? 'no native addon',
      cores: availableParallelism(),
      threads: opts.threads,
      quick,
      rounds: opts.rounds,
      budgetS: opts.budget,
      maxStepS: opts.maxStep,
      seed,
      loadavgStart: loadStart,
      loadavgEnd: loadavg(),
      node: process.version,
      commit: gitCommit(),
      openblasPreload: findOpenmpOpenblas(),
      subjectInfo: infos,
    },
    subjects: names,
    workloads,
    cells,
    ratios: computeRatios(cells, names),
  };
  writeReport(out, report);
  const la = (v: number[]): string => v.map((x) => x.toFixed(2)).join(' ');
  console.log(`\ntsgrad bench ${report.meta['date']} on ${report.meta['cpu']} (${opts.threads} threads, native ISA ${report.meta['isa']} of host's ${report.meta['hostIsa']}), ${report.meta['durationS']} s; load average ${la(loadStart)} -> ${la(loadavg())}`);
  for (const [s, info] of Object.entries(infos)) console.log(`  ${s}: ${Object.entries(info as Record<string, unknown>).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log('');
  console.log(renderReport(report));
  const torchGemm = Math.max(0, ...cells.filter((c) => c.subject === 'torch' && c.workload.startsWith('W1') && c.value).map((c) => c.value!));
  if (torchGemm > 0 && torchGemm < TORCH_QUIET_GFLOPS) {
    console.log(`\nnote: PyTorch's best GEMM here was ${torchGemm.toFixed(0)} GFLOP/s; on a quiet machine it reaches ${TORCH_QUIET_GFLOPS}–185 (issue 5), so this machine was busy (load average ${la(loadavg())}): compare ratios within this run, not absolute figures across runs.`);
  }
  console.log(`\nJSON: ${out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`bench: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  },
);
