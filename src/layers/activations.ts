import { normalizeDim } from '../core/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sum } from '../ops/broadcast.js';
import { add, elu, gt, leakyRelu, mul, relu, sigmoid, sub, tanh, where } from '../ops/elementwise.js';
import { softmax } from '../ops/reduce.js';
import { LayerError } from './errors.js';
import { Layer } from './layer.js';

// Elementwise layers accept any shape; each keeps only what its derivative needs.

/** max(x, 0). Backward: dOut where x > 0, else 0 (0 at x = 0, like PyTorch). */
export class ReLU extends Layer {
  private mask: Tensor | null = null;

  describe(): string {
    return 'ReLU()';
  }

  protected computeForward(x: Tensor): Tensor {
    this.mask = gt(x, 0);
    return relu(x);
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return mul(dOut, this.mask!);
  }
}

/** x for x > 0, slope·x otherwise. Backward: dOut where x > 0, else slope·dOut. */
export class LeakyReLU extends Layer {
  private x: Tensor | null = null;

  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new LayerError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }

  describe(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }

  protected computeForward(x: Tensor): Tensor {
    this.x = x;
    return leakyRelu(x, this.negativeSlope);
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return where(gt(this.x!, 0), dOut, mul(dOut, this.negativeSlope));
  }
}

/** x for x > 0, alpha·(eˣ - 1) otherwise. Backward: dOut where x > 0, else dOut·(y + alpha) (= alpha·eˣ). */
export class ELU extends Layer {
  private x: Tensor | null = null;
  private y: Tensor | null = null;

  constructor(readonly alpha = 1) {
    super();
    if (!Number.isFinite(alpha)) throw new LayerError(`ELU: alpha must be a finite number, got ${alpha}`);
  }

  describe(): string {
    return `ELU(alpha=${this.alpha})`;
  }

  protected computeForward(x: Tensor): Tensor {
    this.x = x;
    this.y = elu(x, this.alpha);
    return this.y;
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return where(gt(this.x!, 0), dOut, mul(dOut, add(this.y!, this.alpha)));
  }
}

/** 1 / (1 + e⁻ˣ). Backward: dOut·y·(1 - y). */
export class Sigmoid extends Layer {
  private y: Tensor | null = null;

  describe(): string {
    return 'Sigmoid()';
  }

  protected computeForward(x: Tensor): Tensor {
    this.y = sigmoid(x);
    return this.y;
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return mul(dOut, mul(this.y!, sub(1, this.y!)));
  }
}

/** tanh(x). Backward: dOut·(1 - y²). */
export class Tanh extends Layer {
  private y: Tensor | null = null;

  describe(): string {
    return 'Tanh()';
  }

  protected computeForward(x: Tensor): Tensor {
    this.y = tanh(x);
    return this.y;
  }

  protected computeBackward(dOut: Tensor): Tensor {
    return mul(dOut, sub(1, mul(this.y!, this.y!)));
  }
}

/**
 * softmax along `dim` (default the last), computed stably. Backward is the
 * vector-Jacobian product y ⊙ (dOut - Σ_dim dOut ⊙ y), so the [C, C]
 * Jacobian diag(y) - y·yᵀ of each row is never built.
 */
export class Softmax extends Layer {
  private y: Tensor | null = null;
  private d = -1;

  constructor(readonly dim = -1) {
    super();
  }

  describe(): string {
    return `Softmax(dim=${this.dim})`;
  }

  protected computeForward(x: Tensor): Tensor {
    this.d = normalizeDim(this.describe(), this.dim, x.ndim);
    this.y = softmax(x, this.d);
    return this.y;
  }

  protected computeBackward(dOut: Tensor): Tensor {
    const y = this.y!;
    return mul(y, sub(dOut, sum(mul(dOut, y), this.d, true)));
  }
}
