import type { Tensor } from '../tensor/tensor.js';
import { add, relu } from '../ops/elementwise.js';
import { flatten } from '../ops/shape.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Sequential } from '../nn/layers/container.js';
import { Dropout } from '../nn/layers/dropout.js';
import { BatchNorm2d } from '../nn/layers/normalization.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/layers/pooling.js';
import { Module } from '../nn/module.js';
import { checkChannels, checkInput, checkInSize, checkShrink, mlpHead } from './common.js';

/**
 * The custom network's block (pre-activation, as in He et al. 2016): bn1 → relu → conv1 3×3 → bn2 →
 * relu → dropout → conv2 3×3, plus a shortcut (identity, or a 1×1 conv without bias when the
 * channels change). Convolutions have no bias: a batch norm follows each.
 */
export class PreActResidualBlock extends Module {
  bn1: BatchNorm2d;
  conv1: Conv2d;
  bn2: BatchNorm2d;
  drop: Dropout;
  conv2: Conv2d;
  shortcut: Sequential;

  constructor(inChannels: number, outChannels: number, dropout: number) {
    super();
    this.bn1 = new BatchNorm2d(inChannels);
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = new BatchNorm2d(outChannels);
    this.drop = new Dropout(dropout);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.shortcut = inChannels === outChannels ? new Sequential() : new Sequential(new Conv2d(inChannels, outChannels, 1, { bias: false }));
  }

  /** x [N, in, H, W] → [N, out, H, W]. */
  forward(x: Tensor): Tensor {
    const y = this.conv1.forward(relu(this.bn1.forward(x)));
    return add(this.conv2.forward(this.drop.forward(relu(this.bn2.forward(y)))), this.shortcut.forward(x));
  }
}

/** Options of CustomNet. */
export interface CustomNetOptions {
  /** Dropout inside each block and before the head (default 0.1). */
  dropout?: number;
}

/**
 * tsgrad's own design for the study's part 2: a bias-free 3×3 stem, then one stage per entry of K
 * (a 2×2 max-pool before every stage but the first, then ceil(L/2) pre-activation residual blocks of
 * two convolutions each, so a stage holds about L convolutions), then bn → relu → global average
 * pool → dropout → (FC → ReLU) × M → FC. Batch norm keeps deep stacks trainable, the residuals keep
 * gradients flowing, global pooling keeps the head small, dropout regularizes.
 * Children: `stem`, `stages`, `bn`, `pool`, `drop`, `classifier`.
 */
export class CustomNet extends Module {
  stem: Conv2d;
  stages: Sequential;
  bn: BatchNorm2d;
  pool: AdaptiveAvgPool2d;
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
    checkShrink(h, w, K.length - 1, where, `${K.length} stages, a pool before each stage but the first`);
    const p = opts.dropout ?? 0.1;
    this.stem = new Conv2d(c, K[0]!, 3, { padding: 1, bias: false });
    const stages: Module[] = [];
    let prev = K[0]!;
    K.forEach((k, s) => {
      const blocks: Module[] = s > 0 ? [new MaxPool2d(2)] : [];
      for (let b = 0; b < Math.max(1, Math.ceil(L / 2)); b++) {
        blocks.push(new PreActResidualBlock(prev, k, p));
        prev = k;
      }
      stages.push(new Sequential(...blocks));
    });
    this.stages = new Sequential(...stages);
    this.bn = new BatchNorm2d(prev);
    this.pool = new AdaptiveAvgPool2d(1);
    this.drop = new Dropout(p);
    this.classifier = mlpHead(prev, hiddenDims, outClasses, 'relu', where);
  }

  /** x [N, C, H, W] → class scores [N, outClasses]. */
  forward(x: Tensor): Tensor {
    checkInput(x, this.inSize, 'CustomNet');
    const h = this.stages.forward(this.stem.forward(x));
    return this.classifier.forward(this.drop.forward(flatten(this.pool.forward(relu(this.bn.forward(h))), 1)));
  }
}
