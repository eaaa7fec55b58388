import { LayerError } from './errors.js';
import type { NamedTensors } from './layer.js';
import { noGrad } from '../tensor/tape.js';
import '../ops/index.js';

/** Anything with named params and grads (a Layer). */
export interface HasParams {
  params(): NamedTensors;
  grads(): NamedTensors;
}

/** Options of the SGD step. */
export interface SGDOptions {
  /** Step size. */
  lr: number;
  /** L2 penalty λ: adds λ·p to each gradient (the gradient of (λ/2)·‖p‖²), biases included, like PyTorch. */
  weightDecay?: number;
}

/** One plain SGD step in place: p ← p - lr·(∂L/∂p + λ·p), for every named parameter. */
export function sgdStep(model: HasParams, opts: SGDOptions): void {
  checkOptions(opts);
  const { lr } = opts;
  const wd = opts.weightDecay ?? 0;
  const grads = model.grads();
  noGrad(() => {
    for (const [name, p] of model.params()) {
      const g = grads.get(name);
      if (!g) throw new LayerError(`sgdStep: parameter ${name} has no gradient`);
      // p·(1 - lr·λ) - lr·g is p - lr·(g + λ·p) without a temporary for λ·p.
      if (wd !== 0) p.mul_(1 - lr * wd);
      p.sub_(g, lr);
    }
  });
}

function checkOptions(opts: SGDOptions): void {
  const { lr } = opts;
  const wd = opts.weightDecay ?? 0;
  if (!Number.isFinite(lr) || lr < 0) throw new LayerError(`SGD: lr must be a non-negative finite number, got ${lr}`);
  if (!Number.isFinite(wd) || wd < 0) throw new LayerError(`SGD: weightDecay must be a non-negative finite number, got ${wd}`);
}

/** Plain SGD over a layer model: step() applies sgdStep with the stored options. */
export class SGD {
  constructor(
    readonly model: HasParams,
    readonly options: SGDOptions,
  ) {
    checkOptions(options);
  }

  /** Updates every parameter from its current gradient. */
  step(): void {
    sgdStep(this.model, this.options);
  }

  /** Zeros every gradient. */
  zeroGrad(): void {
    for (const g of this.model.grads().values()) g.zero_();
  }
}
