/**
 * torchvision's ResNet (v1.5: the stride sits on the 3×3 convolution of a bottleneck), module for
 * module, so that stateDict() has torchvision's exact names and a torchvision checkpoint loads as is.
 */
import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add } from '../../ops/elementwise.js';
import { flatten } from '../../ops/shape.js';
import { Conv2d } from '../../nn/layers/conv.js';
import { BatchNorm2d } from '../../nn/layers/normalization.js';
import { ReLU } from '../../nn/layers/activation.js';
import { MaxPool2d, AdaptiveAvgPool2d } from '../../nn/layers/pooling.js';
import { Linear } from '../../nn/layers/linear.js';
import { Sequential } from '../../nn/layers/container.js';
import { Module } from '../../nn/module.js';

/** Options of the torchvision architectures. */
export interface TorchvisionOptions {
  /** Size of the classification head (default 1000, ImageNet). */
  numClasses?: number;
}

function conv(inC: number, outC: number, k: number, stride = 1, groups = 1): Conv2d {
  return new Conv2d(inC, outC, k, { stride, padding: Math.floor((k - 1) / 2), groups, bias: false });
}

/** Two 3×3 convolutions with batch norm and an identity (or 1×1 projection) shortcut. */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu = new ReLU();
  conv2: Conv2d;
  bn2: BatchNorm2d;
  downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv(inplanes, planes, 3, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv(planes, planes, 3);
    this.bn2 = new BatchNorm2d(planes);
    this.downsample = downsample;
  }

  /** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)). */
  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x)))));
    return this.relu.forward(add(out, this.downsample ? this.downsample.forward(x) : x));
  }
}

/** 1×1 down, 3×3 (strided), 1×1 up to 4× planes, with batch norm and a shortcut. */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  relu = new ReLU();
  downsample: Sequential | null;

  constructor(inplanes: number, planes: number, stride = 1, downsample: Sequential | null = null) {
    super();
    this.conv1 = conv(inplanes, planes, 1);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv(planes, planes, 3, stride);
    this.bn2 = new BatchNorm2d(planes);
    this.conv3 = conv(planes, planes * 4, 1);
    this.bn3 = new BatchNorm2d(planes * 4);
    this.downsample = downsample;
  }

  /** The bottleneck's three convolutions plus the shortcut, then relu. */
  forward(x: Tensor): Tensor {
    let out = this.relu.forward(this.bn1.forward(this.conv1.forward(x)));
    out = this.relu.forward(this.bn2.forward(this.conv2.forward(out)));
    out = this.bn3.forward(this.conv3.forward(out));
    return this.relu.forward(add(out, this.downsample ? this.downsample.forward(x) : x));
  }
}

type BlockClass = (typeof BasicBlock | typeof Bottleneck) & { expansion: number };

/** torchvision.models.ResNet: stem (7×7/2 conv, bn, relu, 3×3/2 max pool), four stages, global pool, fc. */
export class TorchvisionResNet extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  relu = new ReLU();
  maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  avgpool = new AdaptiveAvgPool2d(1);
  fc: Linear;

  constructor(
    readonly arch: string,
    block: BlockClass,
    layers: readonly [number, number, number, number],
    opts: TorchvisionOptions = {},
  ) {
    super();
    let inplanes = 64;
    this.conv1 = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = new BatchNorm2d(64);
    const stage = (planes: number, blocks: number, stride: number): Sequential => {
      const exp = block.expansion;
      const down = stride !== 1 || inplanes !== planes * exp ? new Sequential(conv(inplanes, planes * exp, 1, stride), new BatchNorm2d(planes * exp)) : null;
      const mods: Module[] = [new block(inplanes, planes, stride, down)];
      inplanes = planes * exp;
      for (let i = 1; i < blocks; i++) mods.push(new block(inplanes, planes));
      return new Sequential(...mods);
    };
    this.layer1 = stage(64, layers[0], 1);
    this.layer2 = stage(128, layers[1], 2);
    this.layer3 = stage(256, layers[2], 2);
    this.layer4 = stage(512, layers[3], 2);
    this.fc = new Linear(512 * block.expansion, opts.numClasses ?? 1000);
  }

  /** The pooled features before fc: x [N, 3, H, W] -> [N, 512·expansion]. */
  features(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== 3) throw new ShapeError(`${this.arch}: expected input [N, 3, H, W], got ${fmtShape(x.shape)}`);
    let h = this.maxpool.forward(this.relu.forward(this.bn1.forward(this.conv1.forward(x))));
    h = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(h))));
    return flatten(this.avgpool.forward(h), 1);
  }

  /** x [N, 3, H, W] -> logits [N, numClasses]. */
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.features(x));
  }
}
