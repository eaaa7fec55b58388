import { allocStorage, allocUninitStorage, promoteTypes, type DType } from '../core/dtype.js';
import { contiguousStrides, numel } from '../core/shape.js';
import { fmtShape } from '../core/errors.js';
import type { Backend } from '../backend/backend.js';
import { deviceImpl, wrapDeviceBuffer, type Device } from '../backend/device.js';
import { kernels } from '../backend/router.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor or a plain number standing for a 0-d tensor. */
export type TensorLike = Tensor | number;

/** The backend the next kernel runs on. */
export function be(): Backend {
  return kernels();
}

/**
 * A new contiguous tensor for a kernel that writes every element; its initial
 * contents are undefined (see `zeroed` for kernels that add into their output).
 */
export function empty(shape: readonly number[], dtype: DType, op?: string, device: Device = 'cpu'): Tensor {
  if (device !== 'cpu') return Tensor._onDevice(shape, dtype, device);
  return new Tensor(allocUninitStorage(dtype, numel(shape), `${op ?? 'tensor'} output of shape ${fmtShape(shape)}`), dtype, shape, contiguousStrides(shape), 0);
}

/** A new contiguous tensor of zeros, for kernels that add into their output. */
export function zeroed(shape: readonly number[], dtype: DType, op?: string, device: Device = 'cpu'): Tensor {
  if (device !== 'cpu') {
    return new Tensor(wrapDeviceBuffer(deviceImpl(device, 'zeros').alloc(dtype, numel(shape), true)), dtype, shape, contiguousStrides(shape), 0);
  }
  return new Tensor(allocStorage(dtype, numel(shape), `${op ?? 'tensor'} output of shape ${fmtShape(shape)}`), dtype, shape, contiguousStrides(shape), 0);
}

/** The dtype a plain number takes next to a tensor: the tensor's, unless a fraction meets an integer tensor. */
export function scalarDType(v: number, like: DType): DType {
  if ((like === 'int32' || like === 'bool') && !Number.isInteger(v)) return 'float32';
  return like === 'bool' ? 'int32' : like;
}

/** Wraps a number as a 0-d tensor. */
export function scalar(v: number, dtype: DType): Tensor {
  const t = empty([], dtype);
  t.data[0] = v;
  return t;
}

/** Throws a TypeError naming the op when an operand is neither a Tensor nor a number. */
export function checkOperand(op: string, v: unknown, which: string): void {
  if (v instanceof Tensor || typeof v === 'number') return;
  const got = v === null ? 'null' : Array.isArray(v) ? `an array (${JSON.stringify(v).slice(0, 40)}; wrap it with tg.tensor())` : typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'object'}` : `a ${typeof v}`;
  throw new TypeError(`${op}: the ${which} operand must be a Tensor or a number, got ${got}`);
}

/** The result dtype of an elementwise op on two operands (numbers adapt to the tensor); `op` names it in errors. */
export function resultDType(a: TensorLike, b: TensorLike, op = 'elementwise op'): DType {
  checkOperand(op, a, 'first');
  checkOperand(op, b, 'second');
  if (typeof a === 'number' && typeof b === 'number') return 'float32';
  if (typeof a === 'number') return scalarDType(a, (b as Tensor).dtype);
  if (typeof b === 'number') return scalarDType(b, a.dtype);
  return promoteTypes(a.dtype, b.dtype);
}

/** A stride-0 view of `t` broadcast to `shape` (no checks, no recording). */
export function broadcastView(t: Tensor, shape: readonly number[]): Tensor {
  if (t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i])) return t;
  const lead = shape.length - t.ndim;
  const strides = shape.map((s, i) => {
    const d = i - lead;
    if (d < 0) return 0;
    return t.shape[d] === 1 && s !== 1 ? 0 : t.strides[d]!;
  });
  return t._view(shape, strides, t.offset);
}

/** `t` itself when contiguous, else a contiguous copy (not recorded). */
export function contiguousRaw(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = empty(t.shape, t.dtype);
  be().copy(t, out);
  return out;
}

/** Attaches op functions to Tensor.prototype as methods taking `this` first. */
export function defineMethods(methods: Record<string, (self: Tensor, ...args: never[]) => unknown>): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods)) {
    proto[name] = function (this: Tensor, ...args: never[]) {
      return fn(this, ...args);
    };
  }
}
