import type { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/shape.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Sequential } from '../nn/layers/container.js';
import { Module } from '../nn/module.js';
import { checkConvStack, checkInput, makeActivation, makePool, mlpHead, type ActivationName, type PoolingName } from './common.js';

/** Options of ConvClassifier. */
export interface ConvClassifierOptions {
  /** Hidden activation (default relu). */
  activation?: ActivationName;
  /** 2×2 pooling kind (default max). */
  pooling?: PoolingName;
}

/**
 * A plain CNN: [(CONV → ACT) × P → POOL] × (N/P), then (FC → ACT) × M → FC, with N = channels.length
 * 3×3 convolutions (padding 1) and M = hiddenDims.length. When P does not divide N, the last N mod P
 * convolutions come without a pool. Children: `features` (Sequential) and `classifier` (Sequential).
 */
export class ConvClassifier extends Module {
  features: Sequential;
  classifier: Sequential;

  constructor(
    readonly inSize: readonly number[],
    readonly outClasses: number,
    readonly channels: readonly number[],
    readonly poolEvery: number,
    readonly hiddenDims: readonly number[],
    opts: ConvClassifierOptions = {},
  ) {
    super();
    const where = 'ConvClassifier';
    const { inChannels: c, fh, fw } = checkConvStack(where, inSize, channels, poolEvery, hiddenDims);
    const act = opts.activation ?? 'relu';
    const layers: Module[] = [];
    let prev = c;
    channels.forEach((ch, i) => {
      layers.push(new Conv2d(prev, ch, 3, { padding: 1 }), makeActivation(act, where));
      prev = ch;
      if ((i + 1) % poolEvery === 0) layers.push(makePool(opts.pooling ?? 'max', where));
    });
    this.features = new Sequential(...layers);
    this.classifier = mlpHead(prev * fh * fw, hiddenDims, outClasses, act, where);
  }

  /** x [N, C, H, W] → class scores [N, outClasses]. */
  forward(x: Tensor): Tensor {
    checkInput(x, this.inSize, 'ConvClassifier');
    return this.classifier.forward(flatten(this.features.forward(x), 1));
  }
}
