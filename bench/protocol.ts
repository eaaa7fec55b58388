/**
 * The line protocol between the benchmark parent and its workers (one child
 * process per subject and workload). Each message is one JSON object on one
 * line, prefixed with MARK on the worker side so that anything a library
 * prints to stdout (TensorFlow.js does) is told apart and ignored.
 *
 * parent → worker: {"cmd":"setup","spec":WorkloadSpec,"threads":n,"seed":s}
 *                  {"cmd":"run","steps":k}   {"cmd":"exit"}
 * worker → parent: ready, setup, run, exit, error (see WorkerMessage).
 * bench/torch_bench.py speaks the same protocol.
 */
import type { WorkloadSpec } from './spec.js';

/** Prefix of every protocol line a worker writes. */
export const MARK = '@@bench ';

/** Commands from the parent. */
export type ParentCommand =
  | { cmd: 'setup'; spec: WorkloadSpec; threads: number; seed: number }
  | { cmd: 'run'; steps: number }
  | { cmd: 'exit' };

/** Replies from a worker. `na` in a setup reply means the subject cannot run this workload, with the reason. */
export type WorkerMessage =
  | { type: 'ready'; baseRssKiB: number; info: Record<string, string | number | boolean> }
  | { type: 'setup'; ok: true; info?: Record<string, string | number | boolean> }
  | { type: 'setup'; ok: false; na: string }
  | { type: 'run'; times: number[] }
  | { type: 'exit'; maxRssKiB: number }
  | { type: 'error'; message: string };
