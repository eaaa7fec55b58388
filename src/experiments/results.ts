import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import type { ExperimentConfig } from './config.js';

/** Per-epoch history of one training run (the fields of the Trainer's FitResult that sweeps read). */
export interface FitHistory {
  numEpochs: number;
  trainLoss: number[];
  trainAcc: number[];
  testLoss: number[];
  testAcc: number[];
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
  dataSource: { train: string; test: string; numTrain: number; numTest: number };
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

/** Writes JSON atomically: a temporary file beside the target, then rename. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/** Path of a run's result file. */
export function resultPath(outDir: string, name: string): string {
  return join(outDir, `${name}.json`);
}

/** Path of a run's error record. */
export function errorPath(outDir: string, name: string): string {
  return join(outDir, `${name}.error.json`);
}

/** Reads a result file, or null if it does not exist; a malformed file is an error naming it. */
export function readResult(outDir: string, name: string): RunResult | null {
  return readJson<RunResult>(resultPath(outDir, name), (v) => typeof v === 'object' && v !== null && 'result' in v && 'config' in v);
}

/** Reads an error record, or null if there is none. */
export function readRunError(outDir: string, name: string): RunError | null {
  return readJson<RunError>(errorPath(outDir, name), (v) => typeof v === 'object' && v !== null && 'error' in v);
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
