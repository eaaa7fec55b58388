import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { ensureDir, removeStaleTemps, writeFileAtomic } from '../core/atomic-write.js';
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

const FORMAT = 'tsgrad-checkpoint/2';

/** One data file of a checkpoint as its manifest records it. */
interface FileEntry {
  file: string;
  bytes: number;
  sha256: string;
}

/** The manifest `<name>.json`: the scalars of the state, and the two binary files it commits. */
interface Manifest {
  format: typeof FORMAT;
  savedAt: string;
  /** Whether the run can continue from here (saved at an epoch end). */
  resumable: boolean;
  /** Epoch and step of the trainer when saved (to order checkpoints). */
  epoch: number;
  step: number;
  weights: FileEntry;
  state: FileEntry;
  /** CheckpointState with every tensor replaced by {"$tensor": key} into the state file. */
  scalars: JsonValue;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Paths of a checkpoint's manifest (the data files it names live beside it). */
export function checkpointPaths(dir: string, name: string): { manifest: string } {
  return { manifest: join(dir, `${name}.json`) };
}

/** Options of saveCheckpoint. */
export interface SaveCheckpointOptions {
  /** Whether a run may resume from it (saved at an epoch end); default true. */
  resumable?: boolean;
  epoch?: number;
  step?: number;
}

/**
 * Commits a checkpoint as a set. The weights (`<name>-<id>.weights.safetensors`, loadable as a state
 * dict) and the optimizer/scheduler tensors (`<name>-<id>.state.safetensors`) are written and fsynced
 * under fresh names; then the manifest `<name>.json`, holding the scalars and both files' sizes and
 * sha256, is renamed over the old one. Only after that are the previous set's files removed, so a
 * kill at any moment leaves either the old or the new checkpoint complete.
 */
export function saveCheckpoint(dir: string, name: string, weights: Map<string, Tensor>, state: CheckpointState, opts: SaveCheckpointOptions = {}): void {
  ensureDir(dir);
  const { manifest: mPath } = checkpointPaths(dir, name);
  const old = readManifestQuiet(mPath);
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const sink = new Map<string, Tensor>();
  const scalars = encodeState(state, 'state', sink);
  const write = (kind: 'weights' | 'state', tensors: Map<string, Tensor>): FileEntry => {
    const file = `${name}-${id}.${kind}.safetensors`;
    const bytes = serializeSafetensors(tensors);
    writeFileAtomic(join(dir, file), bytes);
    return { file, bytes: bytes.byteLength, sha256: sha256(bytes) };
  };
  const doc: Manifest = {
    format: FORMAT,
    savedAt: new Date().toISOString(),
    resumable: opts.resumable ?? true,
    epoch: opts.epoch ?? 0,
    step: opts.step ?? 0,
    weights: write('weights', weights),
    state: write('state', sink),
    scalars,
  };
  writeFileAtomic(mPath, JSON.stringify(doc));
  if (old) for (const f of [old.weights.file, old.state.file]) if (f !== doc.weights.file && f !== doc.state.file) rmSync(join(dir, f), { force: true });
}

function readManifestQuiet(path: string): Manifest | null {
  try {
    return checkManifest(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch {
    return null;
  }
}

function checkManifest(doc: unknown, path: string): Manifest {
  const d = doc as Partial<Manifest> | null;
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new CheckpointError(`${path}: expected a JSON object`);
  if (d.format !== FORMAT) throw new CheckpointError(`${path}: not a tsgrad checkpoint (format ${JSON.stringify(d.format)}, expected ${FORMAT})`);
  for (const k of ['weights', 'state'] as const) {
    const f = d[k];
    if (typeof f !== 'object' || f === null || typeof f.file !== 'string' || /[/\\]/.test(f.file) || !Number.isInteger(f.bytes) || typeof f.sha256 !== 'string') {
      throw new CheckpointError(`${path}: "${k}" must be {file, bytes, sha256} naming a file beside the manifest`);
    }
  }
  if (typeof d.scalars !== 'object' || d.scalars === null) throw new CheckpointError(`${path}: lacks the "scalars" object`);
  if (!Number.isInteger(d.epoch) || !Number.isInteger(d.step)) throw new CheckpointError(`${path}: epoch and step must be integers`);
  return d as Manifest;
}

function readData(dir: string, entry: FileEntry, mPath: string): Map<string, Tensor> {
  const p = join(dir, entry.file);
  if (!existsSync(p)) throw new CheckpointError(`${mPath} names ${p}, which does not exist`);
  const bytes = readFileSync(p);
  if (bytes.byteLength !== entry.bytes) throw new CheckpointError(`${p} has ${bytes.byteLength} bytes but ${mPath} records ${entry.bytes}: the file was truncated or replaced`);
  if (sha256(bytes) !== entry.sha256) throw new CheckpointError(`${p} does not match ${mPath} (sha256 differs): the file is damaged or was replaced`);
  return parseSafetensors(bytes, p).tensors;
}

/** A checkpoint read back: the model's weights, the state, and where it stands. */
export interface LoadedCheckpoint {
  weights: Map<string, Tensor>;
  state: CheckpointState;
  epoch: number;
  step: number;
  resumable: boolean;
}

/** Reads a checkpoint written by saveCheckpoint, checking every file against the manifest's size and sha256. */
export function loadCheckpoint(dir: string, name: string): LoadedCheckpoint {
  const { manifest: mPath } = checkpointPaths(dir, name);
  if (!existsSync(mPath)) throw new CheckpointError(`checkpoint ${name} in ${dir}: ${mPath} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(mPath, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${mPath}: not valid JSON (${(e as Error).message})`);
  }
  const m = checkManifest(raw, mPath);
  const weights = readData(dir, m.weights, mPath);
  const tensors = readData(dir, m.state, mPath);
  let state: CheckpointState;
  try {
    state = decodeState(m.scalars, tensors) as CheckpointState;
  } catch (e) {
    throw new CheckpointError(`${mPath}: ${(e as Error).message}`);
  }
  if (typeof state.trainer !== 'object' || state.trainer === null || typeof state.generators !== 'object' || state.generators === null) {
    throw new CheckpointError(`${mPath}: lacks the trainer state or generator states`);
  }
  return { weights, state, epoch: m.epoch, step: m.step, resumable: m.resumable };
}

/** The checkpoints in `dir` a run could resume from, newest first (by step), with their names. */
export function listCheckpoints(dir: string): { name: string; epoch: number; step: number; resumable: boolean }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { name: string; epoch: number; step: number; resumable: boolean }[] = [];
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    const m = readManifestQuiet(join(dir, n));
    // A manifest that does not parse still counts (as step -1) so a resume can say it is damaged.
    out.push(m ? { name: n.slice(0, -5), epoch: m.epoch, step: m.step, resumable: m.resumable } : { name: n.slice(0, -5), epoch: -1, step: -1, resumable: true });
  }
  return out.sort((a, b) => b.step - a.step || b.epoch - a.epoch || (a.name === 'last' ? -1 : b.name === 'last' ? 1 : 0));
}

/**
 * Removes what a killed run left in a checkpoint folder: temporary files, and data files that no
 * manifest names (a set whose manifest was never committed, or an old set not yet deleted).
 * Returns the names removed.
 */
export function cleanCheckpointDir(dir: string): string[] {
  const removed = removeStaleTemps(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  const keep = new Set<string>();
  for (const n of names) {
    if (!n.endsWith('.json')) continue;
    const m = readManifestQuiet(join(dir, n));
    if (m) {
      keep.add(m.weights.file);
      keep.add(m.state.file);
    }
  }
  for (const n of names) {
    if (/\.(weights|state)\.safetensors$/.test(n) && !keep.has(n)) {
      rmSync(join(dir, n), { force: true });
      removed.push(n);
    }
  }
  return removed;
}
