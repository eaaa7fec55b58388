import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { eq } from '../ops/elementwise.js';
import { argmax } from '../ops/reduce.js';
import { sum } from '../ops/broadcast.js';
import { noGrad } from '../tensor/tape.js';

/** Fraction of rows of scores [N, C] whose argmax equals the int32 label [N]. */
export function accuracy(scores: Tensor, labels: Tensor): number {
  if (scores.ndim !== 2 || labels.ndim !== 1 || labels.shape[0] !== scores.shape[0]) {
    throw new ShapeError(`accuracy: expected scores [N, C] and labels [N], got ${fmtShape(scores.shape)} and ${fmtShape(labels.shape)}`);
  }
  return noGrad(() => sum(eq(argmax(scores, 1), labels)).item()) / scores.shape[0]!;
}
