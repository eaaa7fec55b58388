import { defaultGenerator, type Generator } from '../core/rng.js';
import { isFloat } from '../core/dtype.js';
import { DTypeError } from '../core/errors.js';
import { rand } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from '../ops/cast.js';
import { ge, mul } from '../ops/elementwise.js';
import { LayerError } from './errors.js';
import { Layer } from './layer.js';

/**
 * Inverted dropout: in training mode each element is zeroed with probability p
 * and the survivors are scaled by 1/(1-p), so the expected output equals the
 * input and eval mode is the identity. Backward multiplies by the same mask.
 */
export class Dropout extends Layer {
  private mask: Tensor | null = null;
  private readonly generator: Generator;

  constructor(readonly p = 0.5, opts: { generator?: Generator } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new LayerError(`Dropout: p must be a probability in [0, 1], got ${p}`);
    this.generator = opts.generator ?? defaultGenerator;
  }

  describe(): string {
    return `Dropout(p=${this.p})`;
  }

  protected computeForward(x: Tensor): Tensor {
    if (!isFloat(x.dtype)) throw new DTypeError(`${this.describe()}: expected a float32 or float64 input, got ${x.dtype}`);
    if (!this.training || this.p === 0) {
      this.mask = null;
      return x;
    }
    // p = 1 drops everything; 1/(1-p) would be infinite, so the mask is all zeros.
    const keep = this.p === 1 ? 0 : 1 / (1 - this.p);
    this.mask = mul(to(ge(rand(x.shape, { dtype: x.dtype, generator: this.generator }), this.p), x.dtype), keep);
    return mul(x, this.mask);
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return this.mask ? mul(dOut, this.mask) : dOut;
  }
}
