/** torchvision's VGG with batch norm (vgg11_bn, vgg16_bn), with torchvision's state-dict names. */
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { flatten } from '../../ops/shape.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { BatchNorm2d } from '../../nn/layers/normalization.js';
import { ReLU } from '../../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../../nn/layers/pooling.js';
import { Linear } from '../../nn/layers/linear.js';
import { Dropout } from '../../nn/layers/dropout.js';
import { Sequential } from '../../nn/layers/container.js';
import { Module } from '../../nn/module.js';
import type { TorchvisionOptions } from './resnet.js';

/** Channel counts per 3×3 convolution, 'M' for a 2×2 max pool (torchvision's configurations A and D). */
export const VGG_CONFIGS = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
} as const satisfies Record<string, readonly (number | 'M')[]>;

/** Options of the VGG models. */
export interface VGGOptions extends TorchvisionOptions {
  /** Dropout probability in the classifier (default 0.5). */
  dropout?: number;
  /** Width of the two hidden classifier layers (default 4096, torchvision's; smaller only for tests and experiments). */
  hidden?: number;
}

/** torchvision.models.VGG: features (conv-bn-relu and max pools), a 7×7 adaptive average pool, a 3-layer classifier. */
export class TorchvisionVGG extends Module {
  features: Sequential;
  avgpool = new AdaptiveAvgPool2d([7, 7]);
  classifier: Sequential;

  constructor(
    readonly arch: string,
    cfg: readonly (number | 'M')[],
    opts: VGGOptions = {},
  ) {
    super();
    const layers: Module[] = [];
    let c = 3;
    for (const v of cfg) {
      if (v === 'M') layers.push(new MaxPool2d(2, { stride: 2 }));
      else {
        layers.push(new Conv2d(c, v, 3, { padding: 1 }), new BatchNorm2d(v), new ReLU());
        c = v;
      }
    }
    this.features = new Sequential(...layers);
    const h = opts.hidden ?? 4096;
    const p = opts.dropout ?? 0.5;
    this.classifier = new Sequential(
      new Linear(512 * 7 * 7, h), new ReLU(), new Dropout(p),
      new Linear(h, h), new ReLU(), new Dropout(p),
      new Linear(h, opts.numClasses ?? 1000),
    );
  }

  /** x [N, 3, H, W] (H, W >= 32) -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3) throw new ShapeError(`${this.arch}: expected input [N, 3, H, W], got ${fmtShape(x.shape)}`);
    return this.classifier.forward(flatten(this.avgpool.forward(this.features.forward(x)), 1));
  }
}
