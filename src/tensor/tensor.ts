import { allocStorage, isFloat, type DType, type Storage } from '../core/dtype.js';
import { AutogradError, DTypeError, IndexError, fmtShape } from '../core/errors.js';
import { contiguousStrides, isContiguous, normalizeDim, numel } from '../core/shape.js';
import type { View } from '../backend/backend.js';
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
    if (this.numel() !== 1) {
      throw new IndexError(`item: only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    }
    return this.data[this.offset]!;
  }

  /** A contiguous typed-array copy of the elements, in row-major order. */
  toTypedArray(): Storage {
    if (this.isContiguous()) return this.data.slice(this.offset, this.offset + this.numel());
    const out = Tensor.empty(this.shape, this.dtype);
    getBackend().copy(this, out);
    return out.data;
  }

  /** The elements as nested arrays (numbers; booleans for bool). */
  toArray(): NestedArray {
    const flat = this.toTypedArray();
    const asBool = this.dtype === 'bool';
    let i = 0;
    const build = (d: number): NestedArray => {
      if (d === this.ndim) {
        const v = flat[i++]!;
        return asBool ? v !== 0 : v;
      }
      const out: NestedArray[] = [];
      for (let k = 0; k < this.shape[d]!; k++) out.push(build(d + 1));
      return out;
    };
    return build(0);
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
    return formatTensor(this.toTypedArray(), this.shape, this.dtype, suffix);
  }
}
