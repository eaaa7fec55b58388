import type { Tensor } from '../tensor/tensor.js';
import { add, relu } from '../ops/elementwise.js';
import { flatten } from '../ops/shape.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Sequential } from '../nn/layers/container.js';
import { Dropout } from '../nn/layers/dropout.js';
import { BatchNorm2d } from '../nn/layers/normalization.js';
import { ReLU } from '../nn/layers/activation.js';
import { MaxPool2d } from '../nn/layers/pooling.js';
import { Module } from '../nn/module.js';
import { checkChannels, checkInput, checkInSize, checkShrink, mlpHead } from './common.js';

/**
 * The custom network's block (post-activation, as in He et al. 2015): relu(bn2(conv2(relu(bn1(
 * conv1(x))))) + shortcut(x)), both convolutions 3×3 without bias (a batch norm follows each); the
 * shortcut is the identity, or a 1×1 conv without bias → batch norm when the channels change.
 * Children: `conv1`, `bn1`, `conv2`, `bn2`, `shortcut`.
 */
export class CustomResidualBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  shortcut: Sequential;

  constructor(inChannels: number, outChannels: number) {
    super();
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn1 = new BatchNorm2d(outChannels);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(outChannels);
    this.shortcut =
      inChannels === outChannels
        ? new Sequential()
        : new Sequential(new Conv2d(inChannels, outChannels, 1, { bias: false }), new BatchNorm2d(outChannels));
  }

  /** x [N, in, H, W] → [N, out, H, W]. */
  forward(x: Tensor): Tensor {
    const y = this.bn2.forward(this.conv2.forward(relu(this.bn1.forward(this.conv1.forward(x)))));
    return relu(add(y, this.shortcut.forward(x)));
  }
}

/** Options of CustomNet. */
export interface CustomNetOptions {
  /** Dropout on the flattened features, before the head (default 0: the best of the measured runs, docs/experiments.md). */
  dropout?: number;
}

/**
 * tsgrad's own design for the study's part 2: a stem (3×3 conv without bias → batch norm → ReLU to
 * K[0] channels), then one stage per entry of K (ceil(L/2) post-activation residual blocks of two
 * 3×3 convolutions each, so a stage holds about L convolutions, then a 2×2 max-pool), then flatten →
 * dropout → (FC → ReLU) × M → FC. Batch norm after every convolution keeps deep stacks trainable
 * and fast to start, the residuals keep gradients flowing, the flattened head keeps the spatial
 * layout that a global average pool would throw away, and dropout only in front of the head
 * regularizes without slowing the convolutions' short schedules.
 * Children: `stem`, `stages`, `drop`, `classifier`.
 */
export class CustomNet extends Module {
  stem: Sequential;
  stages: Sequential;
  drop: Dropout;
  classifier: Sequential;

  constructor(
    readonly inSize: readonly number[],
    readonly outClasses: number,
    readonly K: readonly number[],
    readonly L: number,
    readonly hiddenDims: readonly number[],
    opts: CustomNetOptions = {},
  ) {
    super();
    const where = 'CustomNet';
    const [c, h, w] = checkInSize(inSize, where);
    checkChannels(K, 'K', where);
    checkChannels([L], 'L', where);
    checkChannels(hiddenDims, 'hiddenDims', where, true);
    const [oh, ow] = checkShrink(h, w, K.length, where, `${K.length} stages, a pool after each`);
    this.stem = new Sequential(new Conv2d(c, K[0]!, 3, { padding: 1, bias: false }), new BatchNorm2d(K[0]!), new ReLU());
    const stages: Module[] = [];
    let prev = K[0]!;
    for (const k of K) {
      const blocks: Module[] = [];
      for (let b = 0; b < Math.max(1, Math.ceil(L / 2)); b++) {
        blocks.push(new CustomResidualBlock(prev, k));
        prev = k;
      }
      blocks.push(new MaxPool2d(2));
      stages.push(new Sequential(...blocks));
    }
    this.stages = new Sequential(...stages);
    this.drop = new Dropout(opts.dropout ?? 0);
    this.classifier = mlpHead(prev * oh * ow, hiddenDims, outClasses, 'relu', where);
  }

  /** x [N, C, H, W] → class scores [N, outClasses]. */
  forward(x: Tensor): Tensor {
    checkInput(x, this.inSize, 'CustomNet');
    const h = this.stages.forward(this.stem.forward(x));
    return this.classifier.forward(this.drop.forward(flatten(h, 1)));
  }
}
