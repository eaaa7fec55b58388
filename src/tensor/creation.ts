import { allocStorage, checkDType, isFloat, type DType, type Storage } from '../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { checkShape, numel } from '../core/shape.js';
import { checkDevice, getDefaultDevice, type Device } from '../backend/device.js';
import { getBackend } from '../backend/registry.js';
import { Tensor, type NestedArray } from './tensor.js';

/** Options shared by the creation functions. */
export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** 'cpu' or 'webgpu'; default: getDefaultDevice() (the input's device for the *Like functions). */
  device?: Device;
}

/** Options of the random creation functions. */
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** A shape given as a list or a single size. */
export type ShapeLike = readonly number[] | number;

function toShape(op: string, s: ShapeLike): number[] {
  return checkShape(op, typeof s === 'number' ? [s] : s);
}

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  const device = opts?.device === undefined ? getDefaultDevice() : checkDevice(opts.device, 'tensor');
  // Made on the CPU and uploaded once: creation is never the hot path of a GPU program.
  if (device !== 'cpu') t._moveTo(device);
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOf(op: string, opts: TensorOptions | undefined, fallback: DType): DType {
  return opts?.dtype === undefined ? fallback : checkDType(opts.dtype, op);
}

function inferShape(data: NestedArray, op: string): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0]!;
  }
  return shape.length === 0 && typeof data !== 'number' && typeof data !== 'boolean' ? failShape(op) : shape;
}

function failShape(op: string): never {
  throw new TypeError(`${op}: expected a number, a boolean, nested arrays of them, or a typed array`);
}

function flatten(data: NestedArray, shape: readonly number[], out: Storage, op: string): void {
  let i = 0;
  const walk = (x: NestedArray, d: number): void => {
    if (d === shape.length) {
      if (typeof x === 'number') out[i++] = x;
      else if (typeof x === 'boolean') out[i++] = x ? 1 : 0;
      else throw new ShapeError(`${op}: ragged nested array: expected a scalar at depth ${d} of shape ${fmtShape(shape)}`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new ShapeError(`${op}: ragged nested array: expected length ${shape[d]} at depth ${d} of shape ${fmtShape(shape)}`);
    }
    for (const y of x) walk(y, d + 1);
  };
  walk(data, 0);
}

/**
 * Makes a tensor from nested arrays, a number, or a typed array (copied).
 * Numbers default to float32, booleans to bool; a typed array keeps its type
 * (Float64Array -> float64, Int32Array -> int32) unless `dtype` says otherwise.
 * `shape` reshapes a flat typed array.
 */
export function tensor(data: NestedArray | Storage | readonly number[], opts?: TensorOptions & { shape?: readonly number[] }): Tensor {
  const op = 'tensor';
  if (ArrayBuffer.isView(data)) {
    const src = data as Storage;
    const fallback: DType = src instanceof Float64Array ? 'float64' : src instanceof Int32Array ? 'int32' : 'float32';
    const dtype = dtypeOf(op, opts, fallback);
    const shape = opts?.shape ? checkShape(op, opts.shape) : [src.length];
    if (numel(shape) !== src.length) {
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} holds ${numel(shape)} elements but the array has ${src.length}`);
    }
    const store = allocStorage(dtype, src.length);
    if (dtype === 'bool') for (let i = 0; i < src.length; i++) store[i] = src[i] ? 1 : 0;
    else store.set(src);
    return finish(Tensor.fromStorage(store, dtype, shape), opts);
  }
  const nested = data as NestedArray;
  const shape = inferShape(nested, op);
  let leaf: NestedArray = nested;
  while (Array.isArray(leaf) && leaf.length > 0) leaf = leaf[0]!;
  const dtype = dtypeOf(op, opts, typeof leaf === 'boolean' ? 'bool' : 'float32');
  const store = allocStorage(dtype, numel(shape), `${op}: shape ${fmtShape(shape)}`);
  flatten(nested, shape, store, op);
  const t = Tensor.fromStorage(store, dtype, opts?.shape ? checkShape(op, opts.shape) : shape);
  if (numel(t.shape) !== store.length) throw new ShapeError(`tensor: shape ${fmtShape(t.shape)} does not fit ${store.length} elements`);
  return finish(t, opts);
}

/** A tensor filled with `value`. */
export function full(shape: ShapeLike, value: number, opts?: TensorOptions): Tensor {
  const t = Tensor.empty(toShape('full', shape), dtypeOf('full', opts, 'float32'), 'full');
  if (value !== 0) getBackend().fill(t, value);
  return finish(t, opts);
}

/** A tensor of zeros. */
export function zeros(shape: ShapeLike, opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of ones. */
export function ones(shape: ShapeLike, opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

/** Zeros with the shape (and by default the dtype) of `t`. */
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, device: t.device, ...opts });
}

/** Ones with the shape (and by default the dtype) of `t`. */
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, device: t.device, ...opts });
}

/** `value` with the shape (and by default the dtype) of `t`. */
export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, device: t.device, ...opts });
}

/** Values from start (inclusive) to end (exclusive) by step; int32 when all are integers, else float32. */
export function arange(start: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  if (step === 0) throw new RangeError('arange: step must be non-zero');
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const allInt = Number.isInteger(lo) && Number.isInteger(hi) && Number.isInteger(step);
  const t = Tensor.empty([n], dtypeOf('arange', opts, allInt ? 'int32' : 'float32'));
  for (let i = 0; i < n; i++) t.data[i] = lo + i * step;
  return finish(t, opts);
}

/** `steps` evenly spaced values from start to end, both included. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = Tensor.empty([steps], dtypeOf('linspace', opts, 'float32'));
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends so the last value is exactly `end`, like PyTorch.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) t.data[i] = i < half ? start + i * d : end - (steps - 1 - i) * d;
  // One step is just `start` (the loop above would write `end`), as in PyTorch.
  if (steps === 1) t.data[0] = start;
  return finish(t, opts);
}

/** Identity matrix of n rows and m (default n) columns. */
export function eye(n: number, m = n, opts?: TensorOptions): Tensor {
  const t = Tensor.empty(checkShape('eye', [n, m]), dtypeOf('eye', opts, 'float32'));
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return finish(t, opts);
}

function randomFloat(op: string, shape: ShapeLike, opts: RandomOptions | undefined, sample: (g: Generator) => number): Tensor {
  const dtype = dtypeOf(op, opts, 'float32');
  if (!isFloat(dtype)) throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const t = Tensor.empty(toShape(op, shape), dtype, op);
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.data.length; i++) t.data[i] = sample(g);
  return finish(t, opts);
}

/** Uniform samples in [0, 1) from the seeded generator. */
export function rand(shape: ShapeLike, opts?: RandomOptions): Tensor {
  return randomFloat('rand', shape, opts, (g) => g.random());
}

/** Standard normal samples from the seeded generator. */
export function randn(shape: ShapeLike, opts?: RandomOptions): Tensor {
  return randomFloat('randn', shape, opts, (g) => g.normal());
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: ShapeLike, opts?: RandomOptions): Tensor {
  if (!(high > low)) throw new RangeError(`randint: expected low < high, got ${low} and ${high}`);
  const t = Tensor.empty(toShape('randint', shape), dtypeOf('randint', opts, 'int32'), 'randint');
  const g = opts?.generator ?? defaultGenerator;
  for (let i = 0; i < t.data.length; i++) t.data[i] = g.randint(low, high);
  return finish(t, opts);
}

/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number, opts?: { generator?: Generator; device?: Device }): Tensor {
  const p = (opts?.generator ?? defaultGenerator).permutation(n);
  return finish(Tensor.fromStorage(p, 'int32', [n]), opts);
}
