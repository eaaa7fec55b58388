import { defaultGenerator, type Generator } from '../../core/rng.js';
import type { Tensor } from '../../tensor/tensor.js';
import { dropout } from '../functional.js';
import { Module } from '../module.js';

/**
 * In training, zeroes each element with probability p and scales the rest
 * by 1/(1-p); in eval mode, the identity. Masks come from the seeded
 * generator (the default one unless given).
 */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    readonly generator: Generator = defaultGenerator,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: probability p must be in [0, 1], got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, this.generator);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
