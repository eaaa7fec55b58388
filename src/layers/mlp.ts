import type { Generator } from '../core/rng.js';
import { ELU, LeakyReLU, ReLU, Sigmoid, Tanh } from './activations.js';
import { Dropout } from './dropout.js';
import { LayerError } from './errors.js';
import type { Layer } from './layer.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';

/** Activation names MLP understands, or a factory making a fresh activation layer. */
export type ActivationSpec = 'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | (() => Layer);

/** Options of MLP. */
export interface MLPOptions {
  /** Hidden activation (default 'relu'). */
  activation?: ActivationSpec;
  /** Dropout probability after each hidden activation; 0 (default) adds no Dropout layer. */
  dropout?: number;
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Random source of the initialisation and of Dropout (default: the global seeded generator). */
  generator?: Generator;
  /** Linear layers keep per-sample gradients. */
  perSampleGrads?: boolean;
}

/** Makes one activation layer from its spec. */
export function makeActivation(spec: ActivationSpec): Layer {
  switch (spec) {
    case 'relu':
      return new ReLU();
    case 'leakyRelu':
      return new LeakyReLU();
    case 'elu':
      return new ELU();
    case 'sigmoid':
      return new Sigmoid();
    case 'tanh':
      return new Tanh();
    default:
      if (typeof spec === 'function') return spec();
      throw new LayerError(`MLP: unknown activation ${JSON.stringify(spec)}; expected relu, leakyRelu, elu, sigmoid, tanh or a factory`);
  }
}

/**
 * Multi-layer perceptron Linear → act → [Dropout] → … → Linear, producing
 * logits for `numClasses` outputs (no softmax: pair it with CrossEntropyLoss).
 * An empty hiddenDims gives a single Linear (multinomial logistic regression).
 */
export class MLP extends Sequential {
  constructor(
    readonly inFeatures: number,
    readonly hiddenDims: readonly number[],
    readonly numClasses: number,
    opts: MLPOptions = {},
  ) {
    super();
    hiddenDims.forEach((h, i) => {
      if (!Number.isInteger(h) || h <= 0) throw new LayerError(`MLP: hiddenDims[${i}] must be a positive integer, got ${h} in [${hiddenDims.join(',')}]`);
    });
    const p = opts.dropout ?? 0;
    const lin = { dtype: opts.dtype, generator: opts.generator, perSampleGrads: opts.perSampleGrads };
    let prev = inFeatures;
    for (const h of hiddenDims) {
      this.add(new Linear(prev, h, lin));
      this.add(makeActivation(opts.activation ?? 'relu'));
      if (p > 0) this.add(new Dropout(p, { generator: opts.generator }));
      prev = h;
    }
    this.add(new Linear(prev, numClasses, lin));
  }
}
