import type { DType, Storage } from '../core/dtype.js';
import { TsgradError } from '../core/errors.js';
import type { Backend } from './backend.js';

/** Where a tensor's storage lives. */
export type Device = 'cpu' | 'webgpu';

/** An op or a move that mixes devices, or a device that is unknown or not ready. */
export class DeviceError extends TsgradError {
  override name = 'DeviceError';
}

/**
 * Storage owned by a device backend (a GPU buffer). A tensor on such a device
 * holds a handle to it in its `data` slot, wrapped so that any element access
 * from CPU code throws a DeviceError naming the async read instead of
 * returning undefined.
 */
export interface DeviceBuffer {
  readonly device: Device;
  readonly dtype: DType;
  /** Number of elements. */
  readonly length: number;
}

/** What a device backend offers besides its kernels: allocation and transfers. */
export interface DeviceImpl {
  readonly name: Device;
  /** The kernels; they receive views whose data are this device's buffers (0-d CPU scalars already uploaded). */
  readonly backend: Backend;
  /** True once the device is initialised and usable. */
  ready(): boolean;
  /** Storage of `size` elements, contents undefined (`zero`: zero-filled). */
  alloc(dtype: DType, size: number, zero: boolean): DeviceBuffer;
  /** A device copy of a contiguous CPU array. */
  upload(src: Storage, dtype: DType): DeviceBuffer;
  /** A CPU copy of `count` elements of the buffer from `offset`. */
  download(buf: DeviceBuffer, offset: number, count: number): Promise<Storage>;
  /** Called once per wrapped handle, so the device can release the buffer when `holder` is garbage-collected. */
  track(holder: object, buf: DeviceBuffer): void;
}

const devices = new Map<Device, DeviceImpl>();
const handles = new WeakMap<object, DeviceBuffer>();
let defaultDevice: Device = 'cpu';

/** True as soon as any non-CPU storage was made: until then ops go straight to the CPU backend. */
export let deviceStorageInUse = false;

/** Makes a device backend available under its name. */
export function registerDevice(impl: DeviceImpl): void {
  devices.set(impl.name, impl);
}

/** Checks a user-given device name; 'cuda' and friends get an error pointing to 'webgpu'. */
export function checkDevice(device: unknown, op: string): Device {
  if (device === 'cpu' || device === 'webgpu') return device;
  if (typeof device === 'string' && /^(cuda|mps|gpu|xpu)(:\d+)?$/.test(device)) {
    throw new DeviceError(`${op}: device ${JSON.stringify(device)} is not available in tsgrad; GPUs are reached through WebGPU: use 'webgpu' (after await initWebGPU())`);
  }
  throw new DeviceError(`${op}: unknown device ${JSON.stringify(device)}; expected 'cpu' or 'webgpu'`);
}

/** The device implementation behind a name, checked to be initialised. */
export function deviceImpl(device: Device, op: string): DeviceImpl {
  const impl = devices.get(device);
  if (!impl || !impl.ready()) {
    throw new DeviceError(`${op}: device '${device}' is not initialised; call await initWebGPU() first (see docs/gpu.md)`);
  }
  return impl;
}

/** The device new tensors are created on when no `device` option is given. */
export function getDefaultDevice(): Device {
  return defaultDevice;
}

/** Sets the device creation functions use by default (PyTorch's set_default_device). */
export function setDefaultDevice(device: Device): void {
  const d = checkDevice(device, 'setDefaultDevice');
  if (d !== 'cpu') deviceImpl(d, 'setDefaultDevice');
  defaultDevice = d;
}

function readError(b: DeviceBuffer): DeviceError {
  return new DeviceError(`a tensor on '${b.device}' cannot be read synchronously from the CPU: use await t.dataAsync(), await t.toArrayAsync(), await t.itemAsync() or await t.cpuAsync()`);
}

const proxyHandler: ProxyHandler<DeviceBuffer> = {
  get(target, prop) {
    if (prop === 'length' || prop === 'device' || prop === 'dtype' || typeof prop === 'symbol') return Reflect.get(target, prop);
    if (prop in target) return Reflect.get(target, prop);
    throw readError(target);
  },
  set(target) {
    throw readError(target);
  },
};

/** Wraps a device buffer so that it can sit in a tensor's `data` slot (typed as Storage; element access throws). */
export function wrapDeviceBuffer(b: DeviceBuffer): Storage {
  deviceStorageInUse = true;
  const p = new Proxy(b, proxyHandler);
  handles.set(p, b);
  devices.get(b.device)?.track(p, b);
  return p as unknown as Storage;
}

/** The device buffer behind a tensor's data slot, or undefined for CPU storage. */
export function deviceBufferOf(data: Storage): DeviceBuffer | undefined {
  return deviceStorageInUse ? handles.get(data) : undefined;
}

/** The device a storage lives on. */
export function deviceOfStorage(data: Storage): Device {
  return deviceStorageInUse ? (handles.get(data)?.device ?? 'cpu') : 'cpu';
}
