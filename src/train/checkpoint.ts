import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadStateDict as loadSafetensors, saveStateDict as saveSafetensors } from '../io/index.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { decodeState, encodeState, type JsonValue } from './json-state.js';

/** Everything besides the weights that a resumable checkpoint holds. */
export interface CheckpointState {
  trainer: unknown;
  optimizer: unknown;
  scheduler: unknown;
  /** Generator states by name (getState()). */
  generators: Record<string, number[]>;
}

/** A checkpoint file that is missing, corrupt, or does not belong with its weights. */
export class CheckpointError extends TsgradError {
  override name = 'CheckpointError';
}

const FORMAT = 'tsgrad-checkpoint/1';

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Paths of a checkpoint's two files. */
export function checkpointPaths(dir: string, name: string): { weights: string; state: string } {
  return { weights: join(dir, `${name}.safetensors`), state: join(dir, `${name}.json`) };
}

/**
 * Writes `<dir>/<name>.safetensors` then `<dir>/<name>.json`, each atomically. The JSON records the
 * weights file's sha256, so a crash between the two renames is detected on load instead of pairing
 * new weights with old optimizer state.
 */
export function saveCheckpoint(dir: string, name: string, weights: Map<string, Tensor>, state: CheckpointState): void {
  const p = checkpointPaths(dir, name);
  mkdirSync(dir, { recursive: true });
  saveSafetensors(p.weights, weights);
  const doc = { format: FORMAT, weightsFile: `${name}.safetensors`, weightsSha256: sha256(p.weights), savedAt: new Date().toISOString(), ...encodeObject(state) };
  writeFileAtomic(p.state, JSON.stringify(doc), { makeDirs: true });
}

function encodeObject(state: CheckpointState): Record<string, JsonValue> {
  return encodeState(state) as Record<string, JsonValue>;
}

/** Reads a checkpoint written by saveCheckpoint, checking that its two files belong together. */
export function loadCheckpoint(dir: string, name: string): { weights: Map<string, Tensor>; state: CheckpointState } {
  const p = checkpointPaths(dir, name);
  for (const f of [p.state, p.weights]) if (!existsSync(f)) throw new CheckpointError(`checkpoint ${name} in ${dir}: ${f} does not exist`);
  let doc: Record<string, JsonValue>;
  try {
    doc = JSON.parse(readFileSync(p.state, 'utf8')) as Record<string, JsonValue>;
  } catch (e) {
    throw new CheckpointError(`${p.state}: not valid JSON (${(e as Error).message})`);
  }
  if (doc['format'] !== FORMAT) throw new CheckpointError(`${p.state}: not a tsgrad checkpoint (format ${JSON.stringify(doc['format'])}, expected ${FORMAT})`);
  if (doc['weightsSha256'] !== sha256(p.weights)) {
    throw new CheckpointError(`${p.weights} does not match ${p.state} (sha256 differs): the checkpoint was half-written or its files were mixed up`);
  }
  const state = decodeState(doc) as CheckpointState;
  if (typeof state.trainer !== 'object' || state.trainer === null || typeof state.generators !== 'object') {
    throw new CheckpointError(`${p.state}: lacks the trainer state or generator states`);
  }
  return { weights: loadSafetensors(p.weights), state };
}
