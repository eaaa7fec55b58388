import type { DType } from '../core/dtype.js';
import { TsgradError } from '../core/errors.js';
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { Module, type StateDict } from '../nn/module.js';
import type { OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import { loadSafetensors, saveSafetensors, type SafetensorsMetadata } from './safetensors.js';

/**
 * Saves a module's state dict (or a state dict) as safetensors, atomically.
 * The keys are PyTorch's, so the file loads in PyTorch with
 * safetensors.torch.load_file and a PyTorch-made file loads here.
 */
export function saveStateDict(path: string, sd: StateDict | Module, metadata?: SafetensorsMetadata): void {
  saveSafetensors(path, sd instanceof Module ? sd.stateDict() : sd, { format: 'pt', ...metadata });
}

/** Reads a state dict from a safetensors file (keys in file order). */
export function loadStateDict(path: string): StateDict {
  return loadSafetensors(path).tensors;
}

/** A tensor as plain JSON: dtype, shape and values (exact for float32, float64 and int32). */
export interface TensorJSON {
  dtype: DType;
  shape: number[];
  data: number[];
}

/** An optimizer state dict with its tensors turned into TensorJSON: safe for JSON.stringify. */
export interface OptimizerStateJSON {
  state: Record<string, Record<string, number | TensorJSON>>;
  paramGroups: Record<string, unknown>[];
}

/** Encodes a tensor as TensorJSON. */
export function tensorToJSON(t: Tensor): TensorJSON {
  return { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.toTypedArray(), Number) };
}

/** Decodes TensorJSON. */
export function tensorFromJSON(j: TensorJSON): Tensor {
  if (!j || !Array.isArray(j.shape) || !Array.isArray(j.data)) throw new TsgradError('tensorFromJSON: expected {dtype, shape, data}');
  return tensor(j.data, { dtype: j.dtype, shape: j.shape });
}

function isTensorJSON(v: unknown): v is TensorJSON {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v;
}

/** Turns an optimizer's stateDict() into JSON-ready data (tensors written out as numbers, exactly). */
export function optimizerStateToJSON(sd: OptimizerStateDict<object>): OptimizerStateJSON {
  const state: OptimizerStateJSON['state'] = {};
  for (const [k, st] of Object.entries(sd.state)) {
    state[k] = Object.fromEntries(Object.entries(st).map(([name, v]) => [name, v instanceof Tensor ? tensorToJSON(v) : v]));
  }
  return { state, paramGroups: sd.paramGroups.map((g) => ({ ...g })) };
}

/** The inverse of optimizerStateToJSON, ready for optimizer.loadStateDict. */
export function optimizerStateFromJSON<H = Record<string, unknown>>(j: OptimizerStateJSON): OptimizerStateDict<H> {
  if (!j || typeof j.state !== 'object' || !Array.isArray(j.paramGroups)) throw new TsgradError('optimizerStateFromJSON: expected {state, paramGroups}');
  const state: Record<number, ParamState> = {};
  for (const [k, st] of Object.entries(j.state)) {
    state[Number(k)] = Object.fromEntries(Object.entries(st).map(([name, v]) => [name, isTensorJSON(v) ? tensorFromJSON(v) : v]));
  }
  return { state, paramGroups: j.paramGroups as (H & { params: number[] })[] };
}
