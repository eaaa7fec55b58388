/**
 * The subjects of the benchmark and how each one's worker is started:
 * tsgrad on every registered backend, PyTorch (/usr/bin/python3 with
 * Debian's OpenMP OpenBLAS preloaded) and TensorFlow.js (cpu, wasm).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkloadSpec } from './spec.js';
import type { Launch } from './worker-proc.js';

/** The interpreter PyTorch is run with (Debian's python3-torch); TSGRAD_BENCH_PYTHON overrides it. */
export const PYTHON = process.env['TSGRAD_BENCH_PYTHON'] || '/usr/bin/python3';

/** Repository root (this file runs from <outDir>/bench/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One subject: its name and how to start its worker with `threads` threads. */
export interface SubjectDef {
  readonly name: string;
  readonly family: 'tsgrad' | 'torch' | 'tfjs';
  /**
   * Speeds (GFLOP/s) of the slow pure-JS subjects, measured on this machine, used only to
   * skip cells whose one step would take longer than --max-step seconds; absent: never skipped.
   */
  readonly nominal?: { readonly dense: number; readonly conv: number };
  launch(threads: number): Launch;
}

/** Estimated seconds of one step of `spec` for a subject with nominal speeds, or 0 when unknown. */
export function estimateStepSeconds(subject: SubjectDef, spec: WorkloadSpec): number {
  if (!subject.nominal) return 0;
  return spec.denseFlops / 1e9 / subject.nominal.dense + spec.convFlops / 1e9 / subject.nominal.conv;
}

/** Debian's OpenMP build of OpenBLAS, if installed (package libopenblas0-openmp). */
export function findOpenmpOpenblas(): string | null {
  const base = '/usr/lib';
  const candidates: string[] = [];
  if (existsSync(base)) {
    for (const d of readdirSync(base)) candidates.push(`${base}/${d}/openblas-openmp/libopenblas.so.0`);
  }
  candidates.push(`${base}/openblas-openmp/libopenblas.so.0`);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Why PyTorch cannot run here (with the install hint), or null when `import torch` works. */
export function torchProblem(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found; install PyTorch with: apt-get install python3-torch libopenblas0-openmp`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return `python3-torch is not importable (${(r.stderr || '').trim().split('\n').pop()}); install it with: apt-get install python3-torch libopenblas0-openmp`;
}

function nodeLaunch(script: string, arg: string, env: NodeJS.ProcessEnv): Launch {
  return { command: process.execPath, args: [fileURLToPath(new URL(script, import.meta.url)), arg], env: { ...process.env, ...env } };
}

/** A tsgrad subject on the named backend. The reference backend is plain single-threaded TypeScript. */
export function tsgradSubject(backend: string): SubjectDef {
  return {
    name: `tsgrad-${backend}`,
    family: 'tsgrad',
    nominal: backend === 'ref' ? { dense: 1.0, conv: 0.3 } : undefined,
    launch: (threads) => nodeLaunch('./tsgrad/worker.js', backend, { TSGRAD_NUM_THREADS: String(threads), TSGRAD_BACKEND: backend }),
  };
}

/** PyTorch with `torch.set_num_threads(threads)`, OMP_NUM_THREADS and the OpenMP OpenBLAS preloaded when found. */
export function torchSubject(openblas: string | null): SubjectDef {
  return {
    name: 'torch',
    family: 'torch',
    launch(threads) {
      const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: String(threads), PYTHONUNBUFFERED: '1' };
      if (openblas) env['LD_PRELOAD'] = [openblas, process.env['LD_PRELOAD']].filter(Boolean).join(':');
      return { command: PYTHON, args: [`${REPO_ROOT}bench/torch_bench.py`], env };
    },
  };
}

/** TensorFlow.js on its cpu (plain JS, one thread) or wasm (SIMD; threads where the runtime allows) backend. */
export function tfjsSubject(backend: 'cpu' | 'wasm'): SubjectDef {
  return {
    name: `tfjs-${backend}`,
    family: 'tfjs',
    nominal: backend === 'cpu' ? { dense: 0.7, conv: 0.06 } : undefined,
    launch: () => nodeLaunch('./tfjs/worker.js', backend, {}),
  };
}
