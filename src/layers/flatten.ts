import { normalizeDim } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { flatten, reshape } from '../ops/shape.js';
import { Layer } from './layer.js';

/** Flattens dims startDim..endDim into one (default: all but the batch dim), like torch.nn.Flatten. */
export class Flatten extends Layer {
  private inShape: readonly number[] = [];

  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  describe(): string {
    return `Flatten(${this.startDim}, ${this.endDim})`;
  }

  protected computeForward(x: Tensor): Tensor {
    normalizeDim(this.describe(), this.startDim, x.ndim);
    this.inShape = x.shape;
    return flatten(x, this.startDim, this.endDim);
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return reshape(dOut, this.inShape);
  }
}
