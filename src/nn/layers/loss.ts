import type { Tensor } from '../../tensor/tensor.js';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss,
  type CrossEntropyOptions, type ClassLossOptions, type LossOptions, type Reduction,
} from '../functional.js';
import { Module } from '../module.js';

/** Cross-entropy of logits [N, C, ...] against int32 class indices [N, ...] (or class probabilities). */
export class CrossEntropyLoss extends Module {
  readonly opts: CrossEntropyOptions;
  /** Options, or just the reduction ('mean', 'sum', 'none'). */
  constructor(opts: CrossEntropyOptions | Reduction = {}) {
    super();
    this.opts = typeof opts === 'string' ? { reduction: opts } : opts;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.opts);
  }
}

/** Negative log-likelihood of log-probabilities [N, C, ...] against int32 class indices. */
export class NLLLoss extends Module {
  readonly opts: ClassLossOptions;
  /** Options, or just the reduction ('mean', 'sum', 'none'). */
  constructor(opts: ClassLossOptions | Reduction = {}) {
    super();
    this.opts = typeof opts === 'string' ? { reduction: opts } : opts;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.opts);
  }
}

/** Mean squared error. */
export class MSELoss extends Module {
  readonly reduction: Reduction;
  /** The reduction, positionally ('sum') or as options ({ reduction: 'sum' }); 'mean' by default. */
  constructor(opts: Reduction | LossOptions = 'mean') {
    super();
    this.reduction = typeof opts === 'string' ? opts : (opts.reduction ?? 'mean');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}

/** Mean absolute error. */
export class L1Loss extends Module {
  readonly reduction: Reduction;
  /** The reduction, positionally ('sum') or as options ({ reduction: 'sum' }); 'mean' by default. */
  constructor(opts: Reduction | LossOptions = 'mean') {
    super();
    this.reduction = typeof opts === 'string' ? opts : (opts.reduction ?? 'mean');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.reduction);
  }
}

/** Binary cross-entropy of probabilities. */
export class BCELoss extends Module {
  readonly reduction: Reduction;
  /** The reduction, positionally ('sum') or as options ({ reduction: 'sum' }); 'mean' by default. */
  constructor(opts: Reduction | LossOptions = 'mean') {
    super();
    this.reduction = typeof opts === 'string' ? opts : (opts.reduction ?? 'mean');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.reduction);
  }
}

/** Binary cross-entropy of logits (sigmoid folded in, stable). */
export class BCEWithLogitsLoss extends Module {
  readonly reduction: Reduction;
  /** The reduction, positionally ('sum') or as options ({ reduction: 'sum' }); 'mean' by default. */
  constructor(opts: Reduction | LossOptions = 'mean') {
    super();
    this.reduction = typeof opts === 'string' ? opts : (opts.reduction ?? 'mean');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.reduction);
  }
}
