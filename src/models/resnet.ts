import type { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/shape.js';
import { Sequential } from '../nn/layers/container.js';
import { Module } from '../nn/module.js';
import { checkConvStack, checkInput, makePool, mlpHead, type ActivationName, type PoolingName } from './common.js';
import { ResidualBlock, ResidualBottleneckBlock } from './residual.js';

/** Options of ResNetClassifier. */
export interface ResNetClassifierOptions {
  batchnorm?: boolean;
  dropout?: number;
  activation?: ActivationName;
  pooling?: PoolingName;
  /**
   * Use a bottleneck block for a group whose input and output channels agree and that has at least 3
   * convolutions: 1×1 down to out/4 channels, P−2 3×3 convolutions, 1×1 up.
   */
  bottleneck?: boolean;
}

/**
 * ConvClassifier's pattern with every P convolutions grouped in a residual block:
 * [ResidualBlock(P convs) → POOL] × (N/P), a last block without pool for N mod P leftover convs,
 * then (FC → ACT) × M → FC. Children: `features` and `classifier`.
 */
export class ResNetClassifier extends Module {
  features: Sequential;
  classifier: Sequential;

  constructor(
    readonly inSize: readonly number[],
    readonly outClasses: number,
    readonly channels: readonly number[],
    readonly poolEvery: number,
    readonly hiddenDims: readonly number[],
    opts: ResNetClassifierOptions = {},
  ) {
    super();
    const where = 'ResNetClassifier';
    const { inChannels: c, fh, fw } = checkConvStack(where, inSize, channels, poolEvery, hiddenDims);
    const blockOpts = { batchnorm: opts.batchnorm, dropout: opts.dropout, activation: opts.activation };
    const layers: Module[] = [];
    let prev = c;
    for (let start = 0; start < channels.length; start += poolEvery) {
      const group = channels.slice(start, start + poolEvery);
      const last = group[group.length - 1]!;
      if (opts.bottleneck && prev === last && group.length >= 3) {
        const inner = Array<number>(group.length - 2).fill(Math.max(1, Math.floor(last / 4)));
        layers.push(new ResidualBottleneckBlock(prev, inner, inner.map(() => 3), blockOpts));
      } else layers.push(new ResidualBlock(prev, group, group.map(() => 3), blockOpts));
      prev = last;
      if (group.length === poolEvery) layers.push(makePool(opts.pooling ?? 'max', where));
    }
    this.features = new Sequential(...layers);
    this.classifier = mlpHead(prev * fh * fw, hiddenDims, outClasses, opts.activation ?? 'relu', where);
  }

  /** x [N, C, H, W] → class scores [N, outClasses]. */
  forward(x: Tensor): Tensor {
    checkInput(x, this.inSize, 'ResNetClassifier');
    return this.classifier.forward(flatten(this.features.forward(x), 1));
  }
}
