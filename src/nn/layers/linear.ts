import { ShapeError, fmtShape } from '../../core/errors.js';
import { empty as emptyTensor } from '../../ops/util.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../../ops/matmul.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { layerDType, type LayerOptions } from './options.js';

/** Options of Linear. */
export interface LinearOptions extends LayerOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * Affine map y = x·Wᵀ + b over the last dim: weight [out, in], bias [out].
 * Initialised like PyTorch: kaiming-uniform with a = √5 (so U(±1/√in)) for
 * the weight and U(±1/√in) for the bias.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    for (const [n, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ShapeError(`Linear: ${n} must be a non-negative integer, got ${v}`);
    }
    const dtype = layerDType(opts);
    this.weight = new Parameter(kaimingUniform_(emptyTensor([outFeatures, inFeatures], dtype), { a: Math.sqrt(5), generator: opts.generator }));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = opts.bias === false ? null : new Parameter(uniform_(emptyTensor([outFeatures], dtype), -bound, bound, opts.generator));
  }

  /** x [..., in] -> [..., out]. */
  forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`Linear(${this.inFeatures}, ${this.outFeatures}): expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Returns its input unchanged (a placeholder layer). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
