import { DeviceError, checkDevice, type Device } from '../backend/device.js';
import { checkDType, type DType } from '../core/dtype.js';
import { record } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { be, defineMethods, empty } from './util.js';

/** What `.to()` takes: a dtype, a device, or both. */
export type ToTarget = DType | Device | { dtype?: DType; device?: Device };

/** A copy of `x` converted to `dtype` (x itself when it already has it); gradients cast back. */
export function to(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, 'to');
  if (x.dtype === dtype) return x;
  const out = empty(x.shape, dtype, undefined, x.device);
  be().copy(x, out);
  if (dtype !== 'float32' && dtype !== 'float64') return out;
  return record('to', out, [x], (g) => [to(g, x.dtype)]);
}

const DEVICE_NAMES = new Set(['cpu', 'webgpu', 'cuda', 'mps', 'gpu', 'xpu']);

function splitTarget(target: ToTarget): { dtype?: DType; device?: Device } {
  if (typeof target === 'object' && target !== null) {
    return { ...(target.dtype !== undefined ? { dtype: target.dtype } : {}), ...(target.device !== undefined ? { device: checkDevice(target.device, 'to') } : {}) };
  }
  if (typeof target === 'string' && (DEVICE_NAMES.has(target) || /^(cuda|mps|xpu):\d+$/.test(target))) return { device: checkDevice(target, 'to') };
  return { dtype: target as DType };
}

/**
 * A copy of `x` on `device` (x itself when already there). CPU -> device is
 * synchronous; the way back is asynchronous (toDeviceAsync). The copy of a
 * tensor that requires grad is a new leaf that requires grad (gradients do
 * not flow across devices).
 */
export function toDevice(x: Tensor, device: Device): Tensor {
  if (x.device === device) return x;
  if (device === 'cpu' || x.device !== 'cpu') {
    throw new DeviceError(`to('${device}'): a tensor on '${x.device}' is read back asynchronously: use await t.cpuAsync() or await t.toAsync('${device}')`);
  }
  const out = x.detach();
  const moved = new Tensor(out.data, out.dtype, out.shape, out.strides, out.offset);
  moved._moveTo(device);
  if (x.requiresGrad) moved.requiresGrad = true;
  return moved;
}

/** A copy of `x` on `device`, from any device (reads GPU memory back). */
export async function toDeviceAsync(x: Tensor, device: Device): Promise<Tensor> {
  checkDevice(device, 'toAsync');
  if (x.device === device) return x;
  if (x.device === 'cpu') return toDevice(x, device);
  const data = await x.dataAsync();
  const t = Tensor.fromStorage(data, x.dtype, x.shape);
  if (device !== 'cpu') t._moveTo(device);
  if (x.requiresGrad) t.requiresGrad = true;
  return t;
}

function toAny(x: Tensor, target: ToTarget): Tensor {
  const { dtype, device } = splitTarget(target);
  let y = x;
  if (device !== undefined && device !== 'cpu') y = toDevice(y, device);
  if (dtype !== undefined) y = to(y, dtype);
  if (device === 'cpu') y = toDevice(y, device);
  return y;
}

async function toAnyAsync(x: Tensor, target: ToTarget): Promise<Tensor> {
  const { dtype, device } = splitTarget(target);
  let y = dtype !== undefined ? to(x, dtype) : x;
  if (device !== undefined) y = await toDeviceAsync(y, device);
  return y;
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Converts to another dtype and/or moves to another device ('cpu', 'webgpu'); no copy when nothing changes. */
    to(target: ToTarget): Tensor;
    /** Like to(), and also brings a GPU tensor back to the CPU. */
    toAsync(target: ToTarget): Promise<Tensor>;
    /** The tensor on the CPU (this tensor when already there); a GPU tensor needs cpuAsync(). */
    cpu(): Tensor;
    /** The tensor on the CPU, from any device. */
    cpuAsync(): Promise<Tensor>;
    /** Converts to float32. */
    float(): Tensor;
    /** Converts to float64. */
    double(): Tensor;
    /** Converts to int32 (truncating toward zero). */
    int(): Tensor;
    /** Converts to bool (non-zero is true). */
    bool(): Tensor;
  }
}

defineMethods({
  to: (x, d: ToTarget) => toAny(x, d),
  toAsync: (x, d: ToTarget) => toAnyAsync(x, d),
  cpu: (x) => toDevice(x, 'cpu'),
  cpuAsync: (x) => toDeviceAsync(x, 'cpu'),
  float: (x) => to(x, 'float32'),
  double: (x) => to(x, 'float64'),
  int: (x) => to(x, 'int32'),
  bool: (x) => to(x, 'bool'),
});
