import { isFloat } from '../core/dtype.js';
import { DTypeError, IndexError, ShapeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { sum } from '../ops/broadcast.js';
import { div, eq, exp, log, mul, neg, sub, where } from '../ops/elementwise.js';
import { gather, oneHot } from '../ops/indexing.js';
import { logSoftmax } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import { LayerError } from './errors.js';

/**
 * A loss with a hand-derived gradient: `forward(input, target)` returns the
 * loss as a 0-d tensor and keeps what backward needs; `backward(dLoss = 1)`
 * returns ∂L/∂input. A NaN or infinite loss is an error naming the loss and
 * where the bad values are, since training past it only spreads NaN.
 */
export abstract class Loss {
  private inShape: readonly number[] | null = null;

  /** The loss's name for error messages. */
  abstract describe(): string;

  protected abstract computeForward(input: Tensor, target: Tensor): Tensor;

  protected abstract computeBackward(dLoss: number): Tensor;

  /** Computes the loss (a 0-d tensor) and keeps what backward needs. */
  forward(input: Tensor, target: Tensor): Tensor {
    const name = this.describe();
    if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new TypeError(`${name}.forward: expected (input: Tensor, target: Tensor)`);
    if (!isFloat(input.dtype)) throw new DTypeError(`${name}: input must be float32 or float64, got ${input.dtype}`);
    if (input.numel() === 0) throw new ShapeError(`${name}: empty input ${fmtShape(input.shape)}`);
    const loss = noGrad(() => this.computeForward(input, target));
    const v = loss.item();
    if (!Number.isFinite(v)) {
      const bad = [badValues(input, 'input'), badValues(target, 'target')].filter((b) => b !== '');
      const why = bad.length ? bad.join('; ') : 'the values overflowed or a probability was 0 where the target is not (a learning rate too high?)';
      throw new LayerError(`${name}: the loss is ${v} for input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)}; ${why}`);
    }
    this.inShape = input.shape;
    return loss;
  }

  /** Returns ∂(dLoss·L)/∂input for the last forward. */
  backward(dLoss = 1): Tensor {
    if (this.inShape === null) throw new LayerError(`${this.describe()}.backward: called before forward; compute the loss with forward(input, target) first`);
    return noGrad(() => this.computeBackward(dLoss));
  }
}

/** Describes the non-finite values of a tensor ('' when there are none). */
function badValues(t: Tensor, what: string): string {
  const d = t.toTypedArray();
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) inf++;
    else continue;
    if (first < 0) first = i;
  }
  return nan + inf === 0 ? '' : `the ${what} holds ${nan} NaN and ${inf} infinite values (first at flat index ${first})`;
}

/** Checks integer class labels [N] against logits [N, C]; returns N. */
function checkLabels(name: string, logits: Tensor, labels: Tensor): void {
  if (logits.ndim !== 2) throw new ShapeError(`${name}: expected logits [batch, classes], got ${fmtShape(logits.shape)}`);
  if (labels.dtype !== 'int32') {
    throw new DTypeError(`${name}: labels must be int32 class indices, got ${labels.dtype}; for one-hot or soft targets use CategoricalCrossEntropy`);
  }
  const [n, c] = logits.shape as [number, number];
  if (labels.ndim !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(`${name}: labels ${fmtShape(labels.shape)} do not match logits ${fmtShape(logits.shape)}; expected labels [${n}]`);
  }
  const d = labels.toTypedArray();
  for (let i = 0; i < d.length; i++) {
    if (!(d[i]! >= 0 && d[i]! < c)) throw new IndexError(`${name}: label ${d[i]} at index ${i} is out of range for ${c} classes (logits ${fmtShape(logits.shape)}); expected 0..${c - 1}`);
  }
}

/** Checks that input and target have the same shape and a float target. */
function checkSameShape(name: string, input: Tensor, target: Tensor): void {
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new ShapeError(`${name}: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} must have the same shape`);
  }
  if (!isFloat(target.dtype)) throw new DTypeError(`${name}: target must be float32 or float64, got ${target.dtype}`);
}

/** Reduction of a per-sample loss over the batch. */
export type Reduction = 'mean' | 'sum';

/**
 * Softmax cross-entropy from logits [N, C] and int32 labels [N], like
 * torch.nn.CrossEntropyLoss: L = -(1/N) Σₙ log softmax(zₙ)[yₙ], with
 * log-softmax computed through a stable log-sum-exp.
 * Backward: ∂L/∂z = (softmax(z) - onehot(y)) / N.
 */
export class CrossEntropyLoss extends Loss {
  private probs: Tensor | null = null;
  private labels: Tensor | null = null;

  constructor(readonly reduction: Reduction = 'mean') {
    super();
  }

  describe(): string {
    return 'CrossEntropyLoss';
  }

  protected computeForward(logits: Tensor, labels: Tensor): Tensor {
    checkLabels(this.describe(), logits, labels);
    const logp = logSoftmax(logits, 1);
    const picked = gather(logp, 1, reshape(labels, [-1, 1]));
    this.probs = exp(logp);
    this.labels = labels;
    const total = neg(sum(picked));
    return this.reduction === 'mean' ? div(total, logits.shape[0]!) : total;
  }

  protected computeBackward(dLoss: number): Tensor {
    const p = this.probs!;
    const scale = this.reduction === 'mean' ? dLoss / p.shape[0]! : dLoss;
    return mul(sub(p, oneHot(this.labels!, p.shape[1]!, p.dtype as 'float32' | 'float64')), scale);
  }
}

/**
 * Cross-entropy of probabilities p [N, C] (e.g. a Softmax output) against
 * one-hot or soft targets t [N, C]: L = -(1/N) Σₙ Σ_c t log p.
 * Backward: ∂L/∂p = -t / (N·p), 0 where t = 0.
 */
export class CategoricalCrossEntropy extends Loss {
  private p: Tensor | null = null;
  private t: Tensor | null = null;

  constructor(readonly reduction: Reduction = 'mean') {
    super();
  }

  describe(): string {
    return 'CategoricalCrossEntropy';
  }

  protected computeForward(probs: Tensor, target: Tensor): Tensor {
    const name = this.describe();
    if (probs.ndim !== 2) throw new ShapeError(`${name}: expected probabilities [batch, classes], got ${fmtShape(probs.shape)}`);
    checkSameShape(name, probs, target);
    this.p = probs;
    this.t = target;
    // 0·log 0 counts as 0, as in the definition of cross-entropy.
    const terms = where(eq(target, 0), 0, mul(target, log(probs)));
    const total = neg(sum(terms));
    return this.reduction === 'mean' ? div(total, probs.shape[0]!) : total;
  }

  protected computeBackward(dLoss: number): Tensor {
    const scale = this.reduction === 'mean' ? -dLoss / this.p!.shape[0]! : -dLoss;
    return where(eq(this.t!, 0), 0, mul(div(this.t!, this.p!), scale));
  }
}

/** Mean squared error over all elements, like torch.nn.MSELoss. Backward: 2(x - t)/numel. */
export class MSELoss extends Loss {
  private diff: Tensor | null = null;

  describe(): string {
    return 'MSELoss';
  }

  protected computeForward(input: Tensor, target: Tensor): Tensor {
    checkSameShape(this.describe(), input, target);
    this.diff = sub(input, target);
    return div(sum(mul(this.diff, this.diff)), input.numel());
  }

  protected computeBackward(dLoss: number): Tensor {
    return mul(this.diff!, (2 * dLoss) / this.diff!.numel());
  }
}

/** Summed squared error Σ (x - t)², i.e. MSELoss(reduction='sum'). Backward: 2(x - t). */
export class SumSquaredError extends Loss {
  private diff: Tensor | null = null;

  describe(): string {
    return 'SumSquaredError';
  }

  protected computeForward(input: Tensor, target: Tensor): Tensor {
    checkSameShape(this.describe(), input, target);
    this.diff = sub(input, target);
    return sum(mul(this.diff, this.diff));
  }

  protected computeBackward(dLoss: number): Tensor {
    return mul(this.diff!, 2 * dLoss);
  }
}
