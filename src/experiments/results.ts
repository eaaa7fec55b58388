import { createHash } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { TsgradError } from '../core/errors.js';
import type { ExperimentConfig } from './config.js';

/** Per-epoch history of one training run (the fields of the Trainer's FitResult that sweeps read). */
export interface FitHistory {
  numEpochs: number;
  trainLoss: number[];
  trainAcc: number[];
  testLoss: number[];
  testAcc: number[];
  /** Validation loss and accuracy per epoch (absent with val-split 0). */
  valLoss?: number[];
  valAcc?: number[];
  /** The epoch index the monitored metric chose (validation loss; training loss without validation): the saved weights. */
  bestIndex?: number;
}

/** What run-exp writes to `<out>/<runName>.json`. */
export interface RunResult {
  runName: string;
  config: ExperimentConfig;
  result: FitHistory;
  /** Trainable parameters of the model. */
  numParams: number;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** Backend the kernels ran on. */
  backend: string;
  /** Where the data came from and how many samples each split had. */
  dataSource: { train: string; test: string; numTrain: number; numVal?: number; numTest: number };
  /** configHash(config): a sweep reuses the result only while its grid gives the same hash. */
  configHash?: string;
  /** Folder of the trained weights (model.json + model.safetensors; tsgrad eval/classify --model-dir). */
  modelDir?: string;
}

/** What the executors write to `<out>/<runName>.error.json` when a run fails. */
export interface RunError {
  runName: string;
  config: ExperimentConfig;
  error: string;
  exitCode: number | null;
  signal: string | null;
  finishedAt: string;
}

/** Writes JSON atomically: a temporary file beside the target, fsynced, then renamed. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', { makeDirs: true });
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** A short sha256 of a run's configuration (keys sorted), recorded in its result file. */
export function configHash(cfg: ExperimentConfig): string {
  return createHash('sha256').update(JSON.stringify(canonical(cfg))).digest('hex').slice(0, 16);
}

/** What a run's result file holds: nothing yet, a valid result, or a damaged file (with why). */
export type ResultCheck = { kind: 'none' } | { kind: 'ok'; result: RunResult } | { kind: 'bad'; error: string };

const isNumArray = (a: unknown): boolean => Array.isArray(a) && a.every((x) => typeof x === 'number' || x === null);

/** Why a parsed result file is not a usable RunResult, or null when it is. */
function resultProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Partial<RunResult>;
  if (typeof r.runName !== 'string') return 'lacks runName';
  if (typeof r.config !== 'object' || r.config === null) return 'lacks config';
  const h = r.result as Partial<FitHistory> | undefined;
  if (typeof h !== 'object' || h === null) return 'lacks result';
  if (typeof h.numEpochs !== 'number') return 'result.numEpochs is not a number';
  for (const k of ['trainLoss', 'trainAcc', 'testLoss', 'testAcc'] as const) if (!isNumArray(h[k])) return `result.${k} is not an array of numbers`;
  return null;
}

/** Reads and checks a run's result file without throwing: a truncated or malformed one is 'bad'. */
export function inspectResult(outDir: string, name: string): ResultCheck {
  const path = resultPath(outDir, name);
  if (!existsSync(path)) return { kind: 'none' };
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { kind: 'bad', error: `${path} is damaged: not valid JSON (${(e as Error).message})` };
  }
  const why = resultProblem(v);
  return why ? { kind: 'bad', error: `${path} is damaged: ${why}` } : { kind: 'ok', result: v as RunResult };
}

/** Whether a stored result was made from this configuration (by its recorded or computed hash). */
export function resultMatches(r: RunResult, cfg: ExperimentConfig): boolean {
  return (r.configHash ?? configHash(r.config)) === configHash(cfg);
}

/** Path of a run's result file. */
export function resultPath(outDir: string, name: string): string {
  return join(outDir, `${name}.json`);
}

/** Path of a run's error record. */
export function errorPath(outDir: string, name: string): string {
  return join(outDir, `${name}.error.json`);
}

/** Reads a result file, or null if it does not exist; a damaged file is an error naming it. */
export function readResult(outDir: string, name: string): RunResult | null {
  const c = inspectResult(outDir, name);
  if (c.kind === 'bad') throw new TsgradError(`results: ${c.error}; rerun the sweep to redo the run`);
  return c.kind === 'ok' ? c.result : null;
}

/** Reads an error record, or null if there is none. */
export function readRunError(outDir: string, name: string): RunError | null {
  try {
    return readJson<RunError>(errorPath(outDir, name), (v) => typeof v === 'object' && v !== null && typeof (v as RunError).error === 'string');
  } catch (e) {
    // A damaged error record still says the run failed.
    return { runName: name, config: {} as ExperimentConfig, error: (e as Error).message, exitCode: null, signal: null, finishedAt: '' };
  }
}

/** Removes a run's error record (before a retry). */
export function clearRunError(outDir: string, name: string): void {
  const p = errorPath(outDir, name);
  if (existsSync(p)) unlinkSync(p);
}

function readJson<T>(path: string, ok: (v: unknown) => boolean): T | null {
  if (!existsSync(path)) return null;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TsgradError(`results: ${path} is not valid JSON (${(e as Error).message}); delete it to rerun the run`);
  }
  if (!ok(v)) throw new TsgradError(`results: ${path} does not look like a tsgrad run file`);
  return v as T;
}
