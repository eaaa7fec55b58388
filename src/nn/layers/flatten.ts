import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { flatten, reshape } from '../../ops/shape.js';
import { Module } from '../module.js';

/** Merges dims startDim..endDim (default 1..-1: everything but the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Splits dim `dim` into `sizes` (the inverse of Flatten). */
export class Unflatten extends Module {
  constructor(
    readonly dim: number,
    readonly sizes: readonly number[],
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) throw new ShapeError(`Unflatten: dim ${this.dim} is out of range for input ${fmtShape(x.shape)}`);
    return reshape(x, [...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }
}
