import { TsgradError } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/elementwise.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Sequential } from '../nn/layers/container.js';
import { BatchNorm2d } from '../nn/layers/normalization.js';
import { Module } from '../nn/module.js';
import { checkChannels, Dropout2d, makeActivation, type ActivationName } from './common.js';

/** Options of the residual blocks. */
export interface ResidualBlockOptions {
  /** BatchNorm2d after each inner convolution (default false). */
  batchnorm?: boolean;
  /** Dropout2d probability after each inner convolution (default 0: none). */
  dropout?: number;
  /** Activation (default relu). */
  activation?: ActivationName;
}

/**
 * act(main(x) + shortcut(x)). The main path is one convolution per entry of `channels` (kernel
 * sizes odd, "same" padding); after each but the last: [Dropout2d] → [BatchNorm2d] → act. The
 * shortcut is the identity, or a 1×1 convolution without bias when the channel counts differ.
 * Children: `main`, `shortcut` (both Sequential; an identity shortcut is empty) and `act`.
 */
export class ResidualBlock extends Module {
  main: Sequential;
  shortcut: Sequential;
  act: Module;
  readonly outChannels: number;

  constructor(
    readonly inChannels: number,
    channels: readonly number[],
    kernelSizes: readonly number[],
    opts: ResidualBlockOptions = {},
    where = 'ResidualBlock',
  ) {
    super();
    checkChannels([inChannels], 'inChannels', where);
    checkChannels(channels, 'channels', where);
    if (kernelSizes.length !== channels.length) throw new TsgradError(`${where}: ${channels.length} channels need as many kernel sizes, got ${kernelSizes.length} (${JSON.stringify(kernelSizes)})`);
    for (const k of kernelSizes) if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new TsgradError(`${where}: kernel sizes must be odd positive integers (so the output keeps its size), got ${JSON.stringify(kernelSizes)}`);
    const act = opts.activation ?? 'relu';
    const p = opts.dropout ?? 0;
    const layers: Module[] = [];
    let prev = inChannels;
    channels.forEach((ch, i) => {
      const k = kernelSizes[i]!;
      layers.push(new Conv2d(prev, ch, k, { padding: (k - 1) / 2 }));
      if (i < channels.length - 1) {
        if (p > 0) layers.push(new Dropout2d(p));
        if (opts.batchnorm) layers.push(new BatchNorm2d(ch));
        layers.push(makeActivation(act, where));
      }
      prev = ch;
    });
    this.main = new Sequential(...layers);
    this.shortcut = inChannels === prev ? new Sequential() : new Sequential(new Conv2d(inChannels, prev, 1, { bias: false }));
    this.act = makeActivation(act, where);
    this.outChannels = prev;
  }

  /** x [N, inChannels, H, W] → [N, outChannels, H, W]. */
  forward(x: Tensor): Tensor {
    return this.act.forward(add(this.main.forward(x), this.shortcut.forward(x)));
  }
}

/**
 * A bottleneck residual block: a 1×1 convolution down to innerChannels[0], the inner convolutions,
 * and a 1×1 convolution back up to inOutChannels; the shortcut is the identity.
 */
export class ResidualBottleneckBlock extends ResidualBlock {
  constructor(inOutChannels: number, innerChannels: readonly number[], innerKernelSizes: readonly number[], opts: ResidualBlockOptions = {}) {
    checkChannels(innerChannels, 'innerChannels', 'ResidualBottleneckBlock');
    super(inOutChannels, [innerChannels[0]!, ...innerChannels, inOutChannels], [1, ...innerKernelSizes, 1], opts, 'ResidualBottleneckBlock');
  }
}
