import { spawn } from 'node:child_process';
import { configToArgs } from './config.js';
import type { RunSpec } from './grid.js';
import { clearRunError, inspectResult, resultMatches, writeJsonAtomic, errorPath, type RunError } from './results.js';

/** How one run ended. */
export type RunOutcome = 'done' | 'skipped' | 'failed';

/** Options of runOne. */
export interface RunOneOptions {
  outDir: string;
  /** Command that starts the CLI, e.g. [process.execPath, '/path/dist/src/cli/main.js']. */
  runner: readonly string[];
  /** Extra environment for the child. */
  /** Environment of the child processes (default process.env). */
  env?: Record<string, string | undefined>;
  /** Called with each line the child prints (progress), prefixed by nothing. */
  onLine?: (line: string) => void;
  /** Why a stored result is not reused (damaged, or made from another configuration). */
  onNotice?: (msg: string) => void;
}

/** Whether the stored result of a spec can be reused: present, intact, and of the same configuration. */
export function resultReusable(spec: RunSpec, outDir: string, onNotice?: (msg: string) => void): boolean {
  const c = inspectResult(outDir, spec.runName);
  if (c.kind === 'none') return false;
  if (c.kind === 'bad') {
    onNotice?.(`${spec.runName}: ${c.error}; running it again`);
    return false;
  }
  if (!resultMatches(c.result, spec.config)) {
    onNotice?.(`${spec.runName}: the stored result was made with another configuration than the grid's; running it again`);
    return false;
  }
  return true;
}

const KEEP_STDERR = 4000;

/**
 * Runs one configuration as a child process (`<runner> run-exp … --out outDir`), unless its result
 * file exists, is intact, and records the same configuration hash (see resultReusable). The child
 * watches this process and dies with it, even when this one is killed with SIGKILL. A failure (non-zero exit, signal, or exit without a result file) is recorded
 * atomically in `<runName>.error.json` with the tail of the child's stderr; a success removes any
 * earlier error record.
 */
export function runOne(spec: RunSpec, opts: RunOneOptions): Promise<RunOutcome> {
  if (resultReusable(spec, opts.outDir, opts.onNotice)) return Promise.resolve('skipped');
  const [cmd, ...pre] = opts.runner;
  const args = [...pre, 'run-exp', ...configToArgs(spec.config), '--out', opts.outDir];
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env, TSGRAD_DIE_WITH_PARENT: String(process.pid) } });
    let stderr = '';
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stdout.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-KEEP_STDERR);
    });
    child.stdout.on('data', (d: string) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) opts.onLine?.(l);
    });
    const fail = (error: string, exitCode: number | null, signal: string | null): void => {
      const rec: RunError = { runName: spec.runName, config: spec.config, error, exitCode, signal, finishedAt: new Date().toISOString() };
      writeJsonAtomic(errorPath(opts.outDir, spec.runName), rec);
      resolve('failed');
    };
    child.on('error', (e) => fail(`could not start ${cmd}: ${e.message}`, null, null));
    child.on('close', (code, signal) => {
      if (pending) opts.onLine?.(pending);
      const after = inspectResult(opts.outDir, spec.runName);
      if (code === 0 && after.kind === 'ok') {
        clearRunError(opts.outDir, spec.runName);
        resolve('done');
      } else if (code === 0) fail(after.kind === 'bad' ? after.error : `run-exp exited 0 but wrote no result file; stderr: ${stderr.trim()}`, code, signal);
      else fail(stderr.trim() || `run-exp exited with ${signal ?? code}`, code, signal);
    });
  });
}
