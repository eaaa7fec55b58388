import { DTypeError, IndexError, ShapeError, fmtShape } from '../core/errors.js';
import { isFloat } from '../core/dtype.js';
import { argmax } from '../ops/reduce.js';
import { noGrad } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Precision, recall and F1 of one class (or their macro average), with the class's number of true samples. */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Samples whose true class this is (for the macro average: all samples). */
  support: number;
}

/** Everything a confusion matrix tells about a classifier. */
export interface ClassificationMetrics {
  /** confusion[t][p]: samples of true class t predicted as p. */
  confusion: number[][];
  accuracy: number;
  perClass: ClassScores[];
  /** Unweighted mean over all classes of precision, recall and F1 (sklearn's average='macro'). */
  macro: ClassScores;
}

/** Class indices from int32 labels [N] or float scores [N, C] (their argmax), or a plain array. */
function classIndices(op: string, what: string, x: Tensor | ArrayLike<number>): ArrayLike<number> {
  if (!('dtype' in x)) return x;
  if (isFloat(x.dtype)) {
    if (x.ndim !== 2) throw new ShapeError(`${op}: float ${what} must be scores [N, C], got ${fmtShape(x.shape)}`);
    return noGrad(() => argmax(x, 1)).toTypedArray();
  }
  if (x.dtype !== 'int32') throw new DTypeError(`${op}: ${what} must be int32 class indices or float scores [N, C], got ${x.dtype}`);
  if (x.ndim !== 1) throw new ShapeError(`${op}: ${what} class indices must be 1-d [N], got ${fmtShape(x.shape)}`);
  return x.toTypedArray();
}

/**
 * The confusion matrix of predictions against true classes: rows are true classes, columns
 * predictions. `predicted` is int32 [N] or scores [N, C] (argmax taken); `target` int32 [N].
 */
export function confusionMatrix(predicted: Tensor | ArrayLike<number>, target: Tensor | ArrayLike<number>, numClasses: number): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new RangeError(`confusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
  const p = classIndices('confusionMatrix', 'predicted', predicted);
  const t = classIndices('confusionMatrix', 'target', target);
  if (p.length !== t.length) throw new ShapeError(`confusionMatrix: ${p.length} predictions but ${t.length} targets`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < p.length; i++) {
    const a = t[i]!;
    const b = p[i]!;
    for (const [v, what] of [[a, 'target'], [b, 'prediction']] as const) {
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw new IndexError(`confusionMatrix: ${what} ${v} at position ${i} is out of range for ${numClasses} classes`);
    }
    m[a]![b]!++;
  }
  return m;
}

/** Adds `other` into the confusion matrix `into` (same size), e.g. batch by batch; returns `into`. */
export function addConfusion(into: number[][], other: readonly (readonly number[])[]): number[][] {
  if (other.length !== into.length) throw new ShapeError(`addConfusion: ${into.length} and ${other.length} classes`);
  other.forEach((row, i) => row.forEach((v, j) => (into[i]![j]! += v)));
  return into;
}

/** A ratio that is 0 when nothing was counted (sklearn's zero_division=0 default, without the warning). */
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Accuracy, per-class precision/recall/F1 and their macro averages from a confusion matrix.
 * A class never predicted has precision 0; one with no samples has recall 0 (as sklearn reports them).
 */
export function classificationMetrics(confusion: readonly (readonly number[])[]): ClassificationMetrics {
  const k = confusion.length;
  if (k === 0 || confusion.some((r) => r.length !== k)) throw new ShapeError('classificationMetrics: the confusion matrix must be square and non-empty');
  let total = 0;
  let correct = 0;
  const perClass = confusion.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((a, v) => a + v, 0);
    const predicted = confusion.reduce((a, r) => a + r[c]!, 0);
    total += support;
    correct += tp;
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const mean = (f: (s: ClassScores) => number) => perClass.reduce((a, s) => a + f(s), 0) / k;
  return {
    confusion: confusion.map((r) => [...r]),
    accuracy: ratio(correct, total),
    perClass,
    macro: { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1), support: total },
  };
}

/** Confusion matrix and scores of predictions (int32 [N] or scores [N, C]) against int32 targets [N]. */
export function classificationReport(predicted: Tensor | ArrayLike<number>, target: Tensor | ArrayLike<number>, numClasses: number): ClassificationMetrics {
  return classificationMetrics(confusionMatrix(predicted, target, numClasses));
}

/** The confusion matrix as aligned text, rows true classes and columns predictions, with optional class names. */
export function formatConfusion(confusion: readonly (readonly number[])[], names?: readonly string[]): string {
  const k = confusion.length;
  const labels = Array.from({ length: k }, (_, i) => names?.[i] ?? String(i));
  const w = Math.max(...confusion.flat().map((v) => String(v).length), ...labels.map((_, i) => String(i).length));
  const lw = Math.max(...labels.map((l) => l.length), 'true \\ predicted'.length);
  const head = `${'true \\ predicted'.padEnd(lw)}  ${labels.map((_, i) => String(i).padStart(w)).join(' ')}`;
  return [head, ...confusion.map((row, i) => `${labels[i]!.padEnd(lw)}  ${row.map((v) => String(v).padStart(w)).join(' ')}`)].join('\n');
}
