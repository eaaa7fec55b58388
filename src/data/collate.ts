import { DataError } from './errors.js';
import { Tensor } from '../tensor/tensor.js';
import { stack } from '../ops/indexing.js';

/** What the default collate makes of a sample type: tensors and numbers become batched tensors, structure is kept. */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Collated<T[K]> }
      : T extends object
        ? { [K in keyof T]: Collated<T[K]> }
        : T[];

/**
 * Stacks a list of samples into a batch (PyTorch's default_collate): tensors are stacked along a
 * new dim 0, integers become an int32 tensor, other numbers float32, booleans bool; arrays and
 * objects are collated field by field; anything else is returned as a list.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new DataError('defaultCollate: expected at least one sample');
  return collate(samples as readonly unknown[], 'sample') as Collated<T>;
}

function collate(xs: readonly unknown[], path: string): unknown {
  const first = xs[0];
  if (first instanceof Tensor) {
    if (!xs.every((x) => x instanceof Tensor)) throw new DataError(`defaultCollate: ${path} is a tensor in sample 0 but not in every sample`);
    return stack(xs as Tensor[], 0);
  }
  if (typeof first === 'number') {
    const ints = xs.every((x) => Number.isInteger(x) && Math.abs(x as number) < 2 ** 31);
    const data = ints ? Int32Array.from(xs as number[]) : Float32Array.from(xs as number[]);
    return Tensor.fromStorage(data, ints ? 'int32' : 'float32', [xs.length]);
  }
  if (typeof first === 'boolean') return Tensor.fromStorage(Uint8Array.from(xs as boolean[], (b) => (b ? 1 : 0)), 'bool', [xs.length]);
  if (Array.isArray(first)) {
    if (!xs.every((x) => Array.isArray(x) && x.length === first.length)) throw new DataError(`defaultCollate: ${path} is an array of length ${first.length} in sample 0 but not in every sample`);
    return first.map((_, k) => collate(xs.map((x) => (x as unknown[])[k]), `${path}[${k}]`));
  }
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first)) out[key] = collate(xs.map((x) => (x as Record<string, unknown>)[key]), `${path}.${key}`);
    return out;
  }
  return [...xs];
}
