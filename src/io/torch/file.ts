/** loadTorch / saveTorch: the torch.save format from and to files (the only Node-specific part). */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { Tensor } from '../../tensor/tensor.js';
import { parseTorch, serializeTorch, TorchFormatError } from './format.js';

/**
 * Reads a PyTorch checkpoint written by torch.save (PyTorch >= 1.6 zip format) from a path or bytes:
 * a state dict (nested dicts flattened with dots) as a Map of names to tensors. Only tensors, dicts
 * and storages are understood; any other pickled global is refused and nothing is executed.
 */
export function loadTorch(pathOrBytes: string | Uint8Array): Map<string, Tensor> {
  if (typeof pathOrBytes !== 'string') return parseTorch(new Uint8Array(pathOrBytes.buffer, pathOrBytes.byteOffset, pathOrBytes.byteLength));
  let bytes: Uint8Array;
  try {
    const buf = readFileSync(pathOrBytes);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength); // a plain view: slice() must copy
  } catch (e) {
    throw new TorchFormatError(`loadTorch: cannot read ${pathOrBytes}: ${(e as Error).message}`);
  }
  return parseTorch(bytes, pathOrBytes);
}

/** Writes a state dict as a torch.save file (zip format) that torch.load reads, atomically. */
export function saveTorch(stateDict: Map<string, Tensor> | Record<string, Tensor>, path: string): void {
  writeFileAtomic(path, serializeTorch(stateDict));
}
