import { ShapeError } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, relu } from '../ops/elementwise.js';
import { flatten } from '../ops/shape.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { BatchNorm2d } from '../nn/layers/normalization.js';
import { MaxPool2d } from '../nn/layers/pooling.js';
import { Module } from '../nn/module.js';

/** A pre-activation block: x + conv3×3(relu(bn(x))), channels unchanged. Children `bn`, `conv`. */
export class PreActBlock extends Module {
  bn: BatchNorm2d;
  conv: Conv2d;

  constructor(readonly channels: number) {
    super();
    this.bn = new BatchNorm2d(channels);
    this.conv = new Conv2d(channels, channels, 3, { padding: 1 });
  }

  /** x [N, C, H, W] → same shape. */
  forward(x: Tensor): Tensor {
    return add(x, this.conv.forward(relu(this.bn.forward(x))));
  }
}

/** Options of ConvNet. */
export interface ConvNetOptions {
  /** Input channels: 3 for CIFAR-10, 1 for Fashion-MNIST padded to 32×32 (default 3). */
  inChannels?: number;
  numClasses?: number;
}

/**
 * The pre-activation VGG ConvNet of the benchmark (workload W5), for 32×32 inputs:
 * conv0 3×3 C→64; preact1; conv1 1×1 64→128; maxpool1 3×3/2/1; preact2a, preact2b; conv2 1×1
 * 128→256; maxpool2; preact3a, preact3b; conv3 1×1 256→512; maxpool3; preact4a, preact4b; maxpool4;
 * preact5a, preact5b; maxpool5; bn → ReLU → flatten → fc 512→classes. Field names are the
 * parameter names (conv0.weight, preact2a.bn.weight, fc.bias, …), the same as the PyTorch model in
 * tools/gen_model_fixtures.py.
 */
export class ConvNet extends Module {
  conv0: Conv2d;
  preact1: PreActBlock;
  conv1: Conv2d;
  maxpool1: MaxPool2d;
  preact2a: PreActBlock;
  preact2b: PreActBlock;
  conv2: Conv2d;
  maxpool2: MaxPool2d;
  preact3a: PreActBlock;
  preact3b: PreActBlock;
  conv3: Conv2d;
  maxpool3: MaxPool2d;
  preact4a: PreActBlock;
  preact4b: PreActBlock;
  maxpool4: MaxPool2d;
  preact5a: PreActBlock;
  preact5b: PreActBlock;
  maxpool5: MaxPool2d;
  bn: BatchNorm2d;
  fc: Linear;
  readonly inChannels: number;

  constructor(opts: ConvNetOptions = {}) {
    super();
    const c = opts.inChannels ?? 3;
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2, padding: 1 });
    this.conv0 = new Conv2d(c, 64, 3, { padding: 1 });
    this.preact1 = new PreActBlock(64);
    this.conv1 = new Conv2d(64, 128, 1);
    this.maxpool1 = pool();
    this.preact2a = new PreActBlock(128);
    this.preact2b = new PreActBlock(128);
    this.conv2 = new Conv2d(128, 256, 1);
    this.maxpool2 = pool();
    this.preact3a = new PreActBlock(256);
    this.preact3b = new PreActBlock(256);
    this.conv3 = new Conv2d(256, 512, 1);
    this.maxpool3 = pool();
    this.preact4a = new PreActBlock(512);
    this.preact4b = new PreActBlock(512);
    this.maxpool4 = pool();
    this.preact5a = new PreActBlock(512);
    this.preact5b = new PreActBlock(512);
    this.maxpool5 = pool();
    this.bn = new BatchNorm2d(512);
    this.fc = new Linear(512, opts.numClasses ?? 10);
    this.inChannels = c;
  }

  /** x [N, C, 32, 32] → class scores [N, classes]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels || x.shape[2] !== 32 || x.shape[3] !== 32) {
      throw new ShapeError(`ConvNet: expected input [N, ${this.inChannels}, 32, 32] (pad 28×28 images by 2 on each side), got [${x.shape.join(', ')}]`);
    }
    let h = this.maxpool1.forward(this.conv1.forward(this.preact1.forward(this.conv0.forward(x))));
    h = this.maxpool2.forward(this.conv2.forward(this.preact2b.forward(this.preact2a.forward(h))));
    h = this.maxpool3.forward(this.conv3.forward(this.preact3b.forward(this.preact3a.forward(h))));
    h = this.maxpool4.forward(this.preact4b.forward(this.preact4a.forward(h)));
    h = this.maxpool5.forward(this.preact5b.forward(this.preact5a.forward(h)));
    return this.fc.forward(flatten(relu(this.bn.forward(h)), 1));
  }
}
