/** torchvision's MobileNetV2 (inverted residuals with ReLU6 and depthwise convolutions), with its state-dict names. */
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add } from '../../ops/elementwise.js';
import { flatten } from '../../ops/shape.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { BatchNorm2d } from '../../nn/layers/normalization.js';
import { ReLU6 } from '../../nn/layers/relu6.js';
import { AdaptiveAvgPool2d } from '../../nn/layers/pooling.js';
import { Linear } from '../../nn/layers/linear.js';
import { Dropout } from '../../nn/layers/dropout.js';
import { Sequential } from '../../nn/layers/container.js';
import { Module } from '../../nn/module.js';
import type { TorchvisionOptions } from './resnet.js';

/** torchvision's Conv2dNormActivation: conv (same padding, no bias), batch norm, ReLU6 → children 0, 1, 2. */
function convBnRelu6(inC: number, outC: number, k: number, stride = 1, groups = 1): Sequential {
  return new Sequential(new Conv2d(inC, outC, k, { stride, padding: Math.floor((k - 1) / 2), groups, bias: false }), new BatchNorm2d(outC), new ReLU6());
}

/** Rounds channels to a multiple of `divisor` the way torchvision's _make_divisible does. */
function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(v + divisor / 2) - (Math.floor(v + divisor / 2) % divisor));
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Expand (1×1), depthwise 3×3, project (1×1, linear); a residual when shapes allow. Child: `conv`. */
export class InvertedResidual extends Module {
  conv: Sequential;
  readonly useResConnect: boolean;

  constructor(inp: number, oup: number, stride: number, expandRatio: number) {
    super();
    const hidden = Math.round(inp * expandRatio);
    this.useResConnect = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(convBnRelu6(inp, hidden, 1));
    layers.push(convBnRelu6(hidden, hidden, 3, stride, hidden));
    layers.push(new Conv2d(hidden, oup, 1, { bias: false }), new BatchNorm2d(oup));
    this.conv = new Sequential(...layers);
  }

  /** x + block(x) when stride 1 and channels agree, else block(x). */
  forward(x: Tensor): Tensor {
    const y = this.conv.forward(x);
    return this.useResConnect ? add(x, y) : y;
  }
}

/** Options of mobilenet_v2. */
export interface MobileNetV2Options extends TorchvisionOptions {
  /** Classifier dropout (default 0.2). */
  dropout?: number;
}

/** torchvision.models.MobileNetV2 (width 1.0): `features` (19 stages), global average pool, `classifier` (dropout, linear). */
export class TorchvisionMobileNetV2 extends Module {
  features: Sequential;
  classifier: Sequential;
  private pool = new AdaptiveAvgPool2d(1);

  constructor(opts: MobileNetV2Options = {}) {
    super();
    const settings: [number, number, number, number][] = [
      [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
    ];
    let input = makeDivisible(32);
    const last = makeDivisible(1280);
    const layers: Module[] = [convBnRelu6(3, input, 3, 2)];
    for (const [t, c, n, s] of settings) {
      const out = makeDivisible(c);
      for (let i = 0; i < n; i++) {
        layers.push(new InvertedResidual(input, out, i === 0 ? s : 1, t));
        input = out;
      }
    }
    layers.push(convBnRelu6(input, last, 1));
    this.features = new Sequential(...layers);
    this.classifier = new Sequential(new Dropout(opts.dropout ?? 0.2), new Linear(last, opts.numClasses ?? 1000));
  }

  /** x [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3) throw new ShapeError(`mobilenet_v2: expected input [N, 3, H, W], got ${fmtShape(x.shape)}`);
    return this.classifier.forward(flatten(this.pool.forward(this.features.forward(x)), 1));
  }
}
