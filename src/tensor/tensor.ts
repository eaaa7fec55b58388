import { allocStorage, isFloat, type DType, type Storage } from '../core/dtype.js';
import { AutogradError, DTypeError, IndexError, fmtShape } from '../core/errors.js';
import { contiguousStrides, isContiguous, normalizeDim, numel } from '../core/shape.js';
import type { View } from '../backend/backend.js';
import { DeviceError, deviceBufferOf, deviceImpl, deviceOfStorage, wrapDeviceBuffer, type Device } from '../backend/device.js';
import { getBackend } from '../backend/registry.js';
import { formatTensor } from './format.js';
import type { Node } from './tape.js';

/** Counter shared by a tensor and all its views; bumped by every in-place op. */
export interface VersionCounter {
  value: number;
}

/** Nested number arrays, as accepted by `tensor()` and returned by `toArray()`. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array: storage (a garbage-collected typed array) seen
 * through shape, strides and offset, plus the autograd slots. Views share
 * storage and version counter. Op methods (add, matmul, sum, ...) are
 * attached by the ops modules.
 */
export class Tensor implements View {
  /** Gradient accumulated by backward() (leaves, and non-leaves that retainGrad()). */
  grad: Tensor | null = null;
  private _requiresGrad = false;
  private _gradFn: Node | null = null;
  private _retainsGrad = false;

  /** Internal constructor; use tg.tensor, tg.zeros, ... */
  constructor(
    readonly data: Storage,
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
    /** @internal shared with views */
    readonly _version: VersionCounter = { value: 0 },
  ) {}

  /** A fresh contiguous tensor of zeros; `op` names the caller in an allocation error. */
  static empty(shape: readonly number[], dtype: DType, op = 'tensor'): Tensor {
    return new Tensor(allocStorage(dtype, numel(shape), `${op}: shape [${shape.join(', ')}]`), dtype, shape, contiguousStrides(shape), 0);
  }

  /** A contiguous tensor over existing storage (no copy). */
  static fromStorage(data: Storage, dtype: DType, shape: readonly number[]): Tensor {
    return new Tensor(data, dtype, shape, contiguousStrides(shape), 0);
  }

  /** A view of this tensor's storage with another layout; shares the version counter. */
  _view(shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    return new Tensor(this.data, this.dtype, shape, strides, offset, this._version);
  }

  /** Where the storage lives: 'cpu' or 'webgpu'. */
  get device(): Device {
    return deviceOfStorage(this.data);
  }

  /**
   * @internal Moves the storage of this tensor (a whole, contiguous one) to `device` in place,
   * keeping the object: module.to(device) uses it so optimizers keep their parameters.
   * CPU -> device only; the way back is asynchronous (_moveToAsync).
   */
  _moveTo(device: Device): void {
    if (this.device === device) return;
    if (device === 'cpu') throw new DeviceError(`to('cpu'): a tensor on '${this.device}' is read back asynchronously: use await t.cpuAsync() (or await module.toAsync('cpu'))`);
    const impl = deviceImpl(device, 'to');
    const src = this.isContiguous() ? this.data.subarray(this.offset, this.offset + this.numel()) : this.toTypedArray();
    (this as { data: Storage }).data = wrapDeviceBuffer(impl.upload(src, this.dtype));
    (this as { strides: readonly number[] }).strides = contiguousStrides(this.shape);
    (this as { offset: number }).offset = 0;
  }

  /** @internal The asynchronous counterpart of _moveTo: also brings device storage back to the CPU. */
  async _moveToAsync(device: Device): Promise<void> {
    if (this.device === device) return;
    if (device !== 'cpu') {
      if (this.device !== 'cpu') throw new DeviceError(`to: moving from '${this.device}' to '${device}' is not supported; go through 'cpu'`);
      this._moveTo(device);
      return;
    }
    const data = await this.dataAsync();
    (this as { data: Storage }).data = data;
    (this as { strides: readonly number[] }).strides = contiguousStrides(this.shape);
    (this as { offset: number }).offset = 0;
  }

  /** A contiguous CPU copy of the elements, on any device (the way to read a GPU tensor). */
  async dataAsync(): Promise<Storage> {
    const buf = deviceBufferOf(this.data);
    if (!buf) return this.toTypedArray();
    const impl = deviceImpl(buf.device, 'dataAsync');
    if (this.isContiguous()) return impl.download(buf, this.offset, this.numel());
    const out = Tensor._onDevice(this.shape, this.dtype, buf.device);
    impl.backend.copy(this, out);
    return impl.download(deviceBufferOf(out.data)!, 0, this.numel());
  }

  /** The elements as nested arrays, on any device. */
  async toArrayAsync(): Promise<NestedArray> {
    return nest(await this.dataAsync(), this.shape, this.dtype === 'bool');
  }

  /** The single value of a one-element tensor, on any device. */
  async itemAsync(): Promise<number> {
    this.checkOne('itemAsync');
    return (await this.dataAsync())[0]!;
  }

  /** @internal A fresh contiguous tensor with uninitialised storage on `device`. */
  static _onDevice(shape: readonly number[], dtype: DType, device: Device, zero = false): Tensor {
    if (device === 'cpu') return Tensor.empty(shape, dtype);
    const impl = deviceImpl(device, 'empty');
    return new Tensor(wrapDeviceBuffer(impl.alloc(dtype, numel(shape), zero)), dtype, shape, contiguousStrides(shape), 0);
  }

  private checkOne(op: string): void {
    if (this.numel() !== 1) {
      throw new IndexError(`${op}: only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    }
  }

  private checkCpu(op: string, alt: string): void {
    if (this.device !== 'cpu') {
      throw new DeviceError(`${op}: the tensor is on '${this.device}', whose memory is read asynchronously: use await t.${alt}()`);
    }
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return numel(this.shape);
  }

  /** Size of one dimension (negative counts from the end), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[normalizeDim('size', dim, this.ndim)]!;
  }

  /** True when elements are laid out row-major with no gaps. */
  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** Whether autograd tracks gradients for this tensor. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(on: boolean) {
    if (on && !isFloat(this.dtype)) {
      throw new DTypeError(`requiresGrad: only float32 and float64 tensors can require gradients, got ${this.dtype}`);
    }
    if (!on && this._gradFn) {
      throw new AutogradError('requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()');
    }
    this._requiresGrad = on;
  }

  /** Sets requiresGrad in place and returns this tensor (PyTorch's requires_grad_). */
  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }

  /** The recorded op that produced this tensor (null for leaves). */
  get gradFn(): Node | null {
    return this._gradFn;
  }

  /** @internal attaches the tape node; called by record(). */
  _setGradFn(node: Node): void {
    this._gradFn = node;
    this._requiresGrad = true;
    if (this._retainsGrad) node.retained = this;
  }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }

  /** Keeps .grad for this non-leaf tensor after backward. */
  retainGrad(): this {
    if (!this._requiresGrad) throw new AutogradError("retainGrad: tensor doesn't require grad");
    this._retainsGrad = true;
    if (this._gradFn) this._gradFn.retained = this;
    return this;
  }

  /** A tensor sharing storage, cut off from the graph. */
  detach(): Tensor {
    return this._view(this.shape, this.strides, this.offset);
  }

  /** The single value of a one-element tensor, as a plain number. */
  item(): number {
    this.checkOne('item');
    this.checkCpu('item', 'itemAsync');
    return this.data[this.offset]!;
  }

  /** A contiguous typed-array copy of the elements, in row-major order. */
  toTypedArray(): Storage {
    this.checkCpu('toTypedArray', 'dataAsync');
    if (this.isContiguous()) return this.data.slice(this.offset, this.offset + this.numel());
    const out = Tensor.empty(this.shape, this.dtype);
    getBackend().copy(this, out);
    return out.data;
  }

  /** The elements as nested arrays (numbers; booleans for bool). */
  toArray(): NestedArray {
    this.checkCpu('toArray', 'toArrayAsync');
    return nest(this.toTypedArray(), this.shape, this.dtype === 'bool');
  }

  /**
   * What console.log and util.inspect show in Node: the toString() printout, not the fields.
   * Symbol.for keeps node:util out of the import graph, so browsers bundle this unchanged.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** PyTorch-style printout: values, then dtype (when not float32), gradient function or requiresGrad. */
  toString(): string {
    const suffix = this._gradFn ? [`gradFn=<${this._gradFn.name}>`] : this._requiresGrad ? ['requiresGrad=true'] : [];
    if (this.device !== 'cpu') return `tensor(<on ${this.device}: await t.toArrayAsync() to read>, shape=${fmtShape(this.shape)}, dtype=${this.dtype}, device='${this.device}'${suffix.map((x) => `, ${x}`).join('')})`;
    return formatTensor(this.toTypedArray(), this.shape, this.dtype, suffix);
  }
}

/** Rebuilds nested arrays from row-major elements. */
function nest(flat: Storage, shape: readonly number[], asBool: boolean): NestedArray {
  let i = 0;
  const build = (d: number): NestedArray => {
    if (d === shape.length) {
      const v = flat[i++]!;
      return asBool ? v !== 0 : v;
    }
    const out: NestedArray[] = [];
    for (let k = 0; k < shape[d]!; k++) out.push(build(d + 1));
    return out;
  };
  return build(0);
}
