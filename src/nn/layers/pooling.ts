import type { Tensor } from '../../tensor/tensor.js';
import { avgPool2d, maxPool2d, type Size2 } from '../../ops/conv.js';
import { adaptiveAvgPool2d, adaptiveMaxPool2d, type AdaptiveSize } from '../functional.js';
import { Module } from '../module.js';

/** Options of the pooling layers. */
export interface PoolOptions {
  /** Defaults to the kernel size. */
  stride?: Size2;
  padding?: Size2;
}

/** Max over each kernel window of x [N, C, H, W]. */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Size2,
    readonly opts: PoolOptions = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.opts.stride ?? this.kernelSize)}, padding=${JSON.stringify(this.opts.padding ?? 0)}`;
  }
}

/** Mean over each kernel window of x [N, C, H, W] (padded zeros counted, like PyTorch's default). */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Size2,
    readonly opts: PoolOptions & { countIncludePad?: boolean } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }

  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.opts.stride ?? this.kernelSize)}, padding=${JSON.stringify(this.opts.padding ?? 0)}`;
  }
}

/** Average pooling to a fixed output size (1 gives global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/** Max pooling to a fixed output size. */
export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
