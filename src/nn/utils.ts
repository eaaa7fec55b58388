/** Gradient utilities (PyTorch's torch.nn.utils): clipping by global norm or by value. */
import { TsgradError } from '../core/errors.js';
import { noGrad } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { clamp_, mul_ } from '../ops/inplace.js';

/** Options of clipGradNorm_. */
export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the max norm). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite instead of scaling by it (default false). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales the gradients of `params` in place so that their combined norm
 * (the norm of all gradient elements together) is at most maxNorm:
 * g ← g · min(1, maxNorm / (‖g‖ + 1e-6)). Returns the norm before clipping.
 * Parameters without a gradient are skipped.
 */
export function clipGradNorm_(params: Iterable<Tensor>, maxNorm: number, opts: ClipGradNormOptions = {}): number {
  const p = opts.normType ?? 2;
  if (!(p > 0)) throw new RangeError(`clipGradNorm_: normType must be positive, got ${p}`);
  const grads = [...params].flatMap((t) => (t.grad ? [t.grad] : []));
  if (grads.length === 0) return 0;
  let total = 0;
  for (const g of grads) {
    const d = g.toTypedArray();
    if (p === Infinity) for (let i = 0; i < d.length; i++) total = Math.max(total, Math.abs(d[i]!));
    else for (let i = 0; i < d.length; i++) total += Math.abs(d[i]!) ** p;
  }
  if (p !== Infinity) total = total ** (1 / p);
  if (opts.errorIfNonfinite && !Number.isFinite(total)) {
    throw new TsgradError(`clipGradNorm_: the total norm of order ${p} of the gradients is ${total}; set errorIfNonfinite to false to clip anyway`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) noGrad(() => grads.forEach((g) => mul_(g, coef)));
  return total;
}

/** Clamps every gradient element of `params` to [-clipValue, clipValue], in place. */
export function clipGradValue_(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new RangeError(`clipGradValue_: clipValue must be non-negative, got ${clipValue}`);
  noGrad(() => {
    for (const t of params) if (t.grad) clamp_(t.grad, -clipValue, clipValue);
  });
}
