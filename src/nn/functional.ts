/**
 * tsgrad.nn.functional: the math of the layers and losses, as functions of
 * tensors composed from tg ops, so autograd derives every gradient and every
 * backend runs them. Modules (src/nn/layers) only hold state and call these.
 */
import { isFloat } from '../core/dtype.js';
import { DTypeError, IndexError, ShapeError, TsgradError, fmtShape } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { shapesEqual } from '../core/shape.js';
import { noGrad } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sum } from '../ops/broadcast.js';
import { to } from '../ops/cast.js';
import { ne, where } from '../ops/elementwise.js';
import { abs, add, div, exp, log, log1p, maximum, mul, neg, relu, rsqrt, sigmoid, square, sub } from '../ops/elementwise.js';
import { avgPool2d, maxPool2d } from '../ops/conv.js';
import { batchNormTrain, channelAffine } from '../ops/norm.js';
import { cat, gather } from '../ops/indexing.js';
import { add_, mul_ } from '../ops/inplace.js';
import { logSoftmax, max, mean } from '../ops/reduce.js';
import { narrow, reshape, squeeze, unsqueeze } from '../ops/shape.js';
import { empty, zeroed } from '../ops/util.js';

export { linear } from '../ops/matmul.js';
export { conv2d, maxPool2d, avgPool2d, type Conv2dOptions, type Pool2dOptions, type Size2 } from '../ops/conv.js';
export { relu, leakyRelu, elu, sigmoid, tanh } from '../ops/elementwise.js';
export { softmax, logSoftmax } from '../ops/reduce.js';
export { pad, type PadMode } from '../ops/pad.js';
export { gelu, erf, type GeluApproximate } from './gelu.js';

/** How a loss reduces its per-element values: their mean (default), their sum, or none. */
export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(op: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new TsgradError(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

/** Options of the elementwise losses (mseLoss, l1Loss, binaryCrossEntropy, ...). */
export interface LossOptions {
  reduction?: Reduction;
}

/** A loss's reduction given positionally ('sum') or as options ({ reduction: 'sum' }), checked. */
function reductionOf(op: string, r: Reduction | LossOptions | undefined): Reduction {
  const v = r === undefined ? 'mean' : typeof r === 'string' ? r : (r.reduction ?? 'mean');
  return checkReduction(op, v);
}

/** crossEntropy/nllLoss options, also accepting a bare reduction string like the other losses. */
function classOptions<T extends ClassLossOptions>(opts: T | Reduction | undefined): T {
  if (opts === undefined) return {} as T;
  return (typeof opts === 'string' ? { reduction: opts } : opts) as T;
}

function reduce(loss: Tensor, r: Reduction): Tensor {
  return r === 'none' ? loss : r === 'sum' ? sum(loss) : mean(loss);
}

function checkFloat(op: string, x: Tensor, what = 'input'): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${x.dtype}`);
}

// ---------- activations that are not primitive ops ----------

/** log(1 + e^x), computed stably. */
export function softplus(x: Tensor): Tensor {
  return add(relu(x), log1p(exp(neg(abs(x)))));
}

/** x·σ(x) (SiLU, also called swish). */
export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

// ---------- dropout ----------

/**
 * Zeroes each element with probability p and scales the rest by 1/(1-p)
 * ("inverted dropout"), so evaluation needs no rescaling. Identity when not
 * training or p = 0. The mask comes from the seeded generator.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout: probability p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  checkFloat('dropout', x);
  const mask = empty(x.shape, x.dtype);
  const keep = 1 - p;
  const scale = keep > 0 ? 1 / keep : 0;
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = generator.random() < keep ? scale : 0;
  return mul(x, mask);
}

// ---------- normalisation ----------

/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Use batch statistics and update the running ones (true), or normalise with the running ones (false). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (PyTorch's momentum, default 0.1). */
  momentum?: number;
  eps?: number;
}

/** Checks a [N, C, ...] input against per-channel tensors and returns the reduction dims and the broadcast shape. */
export function batchNormShapes(op: string, x: Tensor, channelTensors: readonly (Tensor | null | undefined)[]): { dims: number[]; bshape: number[] } {
  if (x.ndim < 2) throw new ShapeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${fmtShape(x.shape)}`);
  checkFloat(op, x);
  const C = x.shape[1]!;
  for (const t of channelTensors) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) {
      throw new ShapeError(`${op}: input ${fmtShape(x.shape)} has ${C} channels but a per-channel tensor has shape ${fmtShape(t.shape)}; expected [${C}]`);
    }
  }
  const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
  const bshape = x.shape.map((s, d) => (d === 1 ? s : 1));
  return { dims, bshape };
}

/** Updates running statistics in place: r ← (1 - m)·r + m·v. */
export function updateRunning(running: Tensor, value: Tensor, momentum: number): void {
  noGrad(() => {
    mul_(running, 1 - momentum);
    add_(running, value.detach(), momentum);
  });
}

/** Values per channel in a training batch of x [N, C, ...]; batch statistics need more than one. */
function trainingCount(x: Tensor): number {
  const n = x.numel() / x.shape[1]!;
  if (n <= 1) throw new ShapeError(`batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
  return n;
}

/** Folds a batch's mean and biased variance ([C] each, n values per channel) into the running statistics; the variance goes in unbiased, as in PyTorch. */
function updateRunningStats(runningMean: Tensor | null, runningVar: Tensor | null, mean: Tensor, variance: Tensor, n: number, momentum: number): void {
  if (runningMean) updateRunning(runningMean, mean, momentum);
  if (runningVar) updateRunning(runningVar, mul(variance, n / (n - 1)), momentum);
}

/**
 * Batch normalisation over the channel dim 1 of x [N, C, ...]:
 * y = (x - mean) / sqrt(var + eps) · weight + bias. In training the batch
 * mean and biased variance are used, and the running statistics (when given)
 * are updated in place with the unbiased variance; otherwise the running
 * statistics are used.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const training = opts.training ?? false;
  const momentum = opts.momentum ?? 0.1;
  const eps = opts.eps ?? 1e-5;
  batchNormShapes('batchNorm', x, [runningMean, runningVar, weight, bias]);
  if (training) {
    const n = trainingCount(x);
    const { out, mean: m, variance: v } = batchNormTrain(x, weight, bias, eps);
    updateRunningStats(runningMean, runningVar, m, v, n, momentum);
    return out;
  }
  if (!runningMean || !runningVar) throw new TsgradError('batchNorm: running mean and variance are required when not training');
  // Fixed statistics: one per-channel affine map, y = a·x + d, with a = γ/√(var + eps) and
  // d = β − mean·a; a and d are [C] compositions, so gradients still reach γ and β.
  let a = rsqrt(add(runningVar, eps));
  if (weight) a = mul(a, weight);
  let d = neg(mul(runningMean, a));
  if (bias) d = add(d, bias);
  return channelAffine(x, a, d);
}

/**
 * batchNorm as a composition of elementwise ops and reductions, differentiated by autograd:
 * the slow reference the kernel-based batchNorm and the custom BatchNormFunction are tested
 * against (`impl: 'autograd'` on the BatchNorm layers). Same contract as batchNorm.
 */
export function batchNormComposed(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  opts: BatchNormOptions = {},
): Tensor {
  const eps = opts.eps ?? 1e-5;
  const { dims, bshape } = batchNormShapes('batchNorm', x, [runningMean, runningVar, weight, bias]);
  let m: Tensor;
  let v: Tensor;
  if (opts.training ?? false) {
    const n = trainingCount(x);
    m = mean(x, dims, true);
    v = mean(square(sub(x, m)), dims, true);
    updateRunningStats(runningMean, runningVar, reshape(m, [-1]), reshape(v, [-1]), n, opts.momentum ?? 0.1);
  } else {
    if (!runningMean || !runningVar) throw new TsgradError('batchNorm: running mean and variance are required when not training');
    m = reshape(runningMean, bshape);
    v = reshape(runningVar, bshape);
  }
  let y = mul(sub(x, m), rsqrt(add(v, eps)));
  if (weight) y = mul(y, reshape(weight, bshape));
  if (bias) y = add(y, reshape(bias, bshape));
  return y;
}

/** Checks x against normalizedShape (its trailing dims) and returns the dims to normalise over. */
export function layerNormDims(op: string, x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null): number[] {
  checkFloat(op, x);
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} does not end with the normalized shape ${fmtShape(normalizedShape)}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && !shapesEqual(t.shape, normalizedShape)) {
      throw new ShapeError(`${op}: ${name} has shape ${fmtShape(t.shape)}, expected the normalized shape ${fmtShape(normalizedShape)}`);
    }
  }
  return normalizedShape.map((_, i) => x.ndim - k + i);
}

/** Layer normalisation over the trailing `normalizedShape` dims: (x - mean) / sqrt(var + eps) · weight + bias. */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const dims = layerNormDims('layerNorm', x, normalizedShape, weight, bias);
  const m = mean(x, dims, true);
  const xc = sub(x, m);
  const v = mean(square(xc), dims, true);
  let y = mul(xc, rsqrt(add(v, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/**
 * Group normalisation: the C channels of x [N, C, ...] split into numGroups
 * groups, each sample's group normalised over its channels and positions,
 * then a per-channel weight and bias.
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const { bshape } = batchNormShapes('groupNorm', x, [weight, bias]);
  const C = x.shape[1]!;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new ShapeError(`groupNorm: ${C} channels cannot be split into ${numGroups} groups`);
  }
  const g = reshape(x, [x.shape[0]!, numGroups, -1]);
  const m = mean(g, 2, true);
  const xc = sub(g, m);
  let y = reshape(mul(xc, rsqrt(add(mean(square(xc), 2, true), eps))), x.shape);
  if (weight) y = mul(y, reshape(weight, bshape));
  if (bias) y = add(y, reshape(bias, bshape));
  return y;
}

// ---------- pooling ----------

/** An output size for adaptive pooling: one number for both dims, or [h, w] (null keeps the input's size). */
export type AdaptiveSize = number | readonly [number | null, number | null];

function adaptiveSize(op: string, x: Tensor, size: AdaptiveSize): [number, number] {
  if (x.ndim !== 4) throw new ShapeError(`${op}: expected a 4-d input [N, C, H, W], got ${fmtShape(x.shape)}`);
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  const out: [number, number] = [h ?? x.shape[2]!, w ?? x.shape[3]!];
  if (!out.every((s) => Number.isInteger(s) && s >= 1)) throw new ShapeError(`${op}: output size must be positive integers, got ${JSON.stringify(size)}`);
  return out;
}

/** Pools dim `d` of x into `o` windows [floor(i·n/o), ceil((i+1)·n/o)) (PyTorch's adaptive windows). */
function adaptiveAlong(x: Tensor, d: number, o: number, pool: (t: Tensor, dim: number) => Tensor): Tensor {
  const n = x.shape[d]!;
  if (o === n) return x;
  const parts: Tensor[] = [];
  for (let i = 0; i < o; i++) {
    const start = Math.floor((i * n) / o);
    const end = Math.ceil(((i + 1) * n) / o);
    parts.push(pool(narrow(x, d, start, end - start), d));
  }
  return cat(parts, d);
}

/**
 * Average pooling to a fixed output size whatever the input's, with
 * PyTorch's window rule; uses one avgPool2d when the sizes divide evenly.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const [oh, ow] = adaptiveSize('adaptiveAvgPool2d', x, outputSize);
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  if (oh === 1 && ow === 1) return mean(x, [2, 3], true);
  if (H % oh === 0 && W % ow === 0) return avgPool2d(x, [H / oh, W / ow]);
  // Averages over rectangles are separable: rows first, then columns.
  return adaptiveAlong(adaptiveAlong(x, 2, oh, (t, d) => mean(t, d, true)), 3, ow, (t, d) => mean(t, d, true));
}

/** Max pooling to a fixed output size (PyTorch's adaptive windows). */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const [oh, ow] = adaptiveSize('adaptiveMaxPool2d', x, outputSize);
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  if (H % oh === 0 && W % ow === 0) return maxPool2d(x, [H / oh, W / ow]);
  return adaptiveAlong(adaptiveAlong(x, 2, oh, (t, d) => max(t, d, true)), 3, ow, (t, d) => max(t, d, true));
}

// ---------- losses ----------

/** Options of nllLoss and crossEntropy. */
export interface ClassLossOptions {
  reduction?: Reduction;
  /** A manual rescaling weight per class, [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing, and are left out of the mean (default -100, like PyTorch). */
  ignoreIndex?: number;
}

/** Options of crossEntropy. */
export interface CrossEntropyOptions extends ClassLossOptions {
  /** Mixes the one-hot target with the uniform distribution: (1 - ε)·onehot + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Per-sample class index (ignored ones set to 0) and per-sample weight (0 where ignored), checked against C. */
function classTargets(op: string, input: Tensor, target: Tensor, opts: ClassLossOptions): { index: Tensor; w: Tensor; mask: Tensor } {
  if (target.dtype !== 'int32') {
    throw new DTypeError(`${op}: class targets must be int32 class indices, got ${target.dtype} (float targets of the input's shape are class probabilities, for crossEntropy only)`);
  }
  const C = input.shape[1]!;
  const expected = input.shape.filter((_, d) => d !== 1);
  if (!shapesEqual(target.shape, expected)) {
    throw new ShapeError(`${op}: input ${fmtShape(input.shape)} (classes in dim 1) needs a target of shape ${fmtShape(expected)}, got ${fmtShape(target.shape)}`);
  }
  const ignore = opts.ignoreIndex ?? -100;
  const weight = opts.weight ?? null;
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new ShapeError(`${op}: weight must have one entry per class, [${C}], got ${fmtShape(weight.shape)}`);
  }
  if (target.device !== 'cpu' || input.device !== 'cpu') return deviceClassTargets(input, target, ignore, weight);
  const wv = weight ? weight.toTypedArray() : null;
  const t = target.toTypedArray();
  const index = zeroed(expected, 'int32');
  const w = zeroed(expected, input.dtype);
  const mask = zeroed(expected, input.dtype);
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === ignore) continue;
    if (c < 0 || c >= C) throw new IndexError(`${op}: target ${c} at position ${i} is out of range for ${C} classes (expected 0..${C - 1}${opts.ignoreIndex !== undefined ? ` or ignoreIndex ${ignore}` : ''})`);
    index.data[i] = c;
    w.data[i] = wv ? wv[c]! : 1;
    mask.data[i] = 1;
  }
  return { index, w, mask };
}

/**
 * classTargets on a GPU: built from ops so nothing is read back; targets out of range are
 * not reported (PyTorch's CUDA kernels assert on the device instead).
 */
function deviceClassTargets(input: Tensor, target: Tensor, ignore: number, weight: Tensor | null): { index: Tensor; w: Tensor; mask: Tensor } {
  const keep = ne(target, ignore);
  const index = where(keep, target, 0);
  const mask = to(keep, input.dtype);
  const w = weight ? mul(gather(weight, 0, reshape(index, [-1])).reshape(target.shape), mask) : mask;
  return { index, w, mask };
}

/** Moves an unbatched [C] input to [1, C] (and its target to [1]). */
function batchify(input: Tensor, target: Tensor): [Tensor, Tensor, boolean] {
  if (input.ndim === 1) return [unsqueeze(input, 0), target.ndim === 0 ? reshape(target, [1]) : target, true];
  return [input, target, false];
}

function finishClassLoss(perSample: Tensor, w: Tensor, reduction: Reduction, unbatched: boolean): Tensor {
  if (reduction === 'none') return unbatched ? squeeze(perSample, 0) : perSample;
  const total = sum(perSample);
  return reduction === 'sum' ? total : div(total, sum(w));
}

/**
 * Negative log-likelihood of integer class targets: input holds
 * log-probabilities [N, C, ...] (or [C]), target int32 [N, ...]; loss_i =
 * -weight[t_i]·input[i, t_i]. The mean divides by the sum of the weights of
 * the targets that are not ignored, like PyTorch.
 */
export function nllLoss(input: Tensor, target: Tensor, options: ClassLossOptions | Reduction = {}): Tensor {
  const opts = classOptions(options);
  const reduction = checkReduction('nllLoss', opts.reduction ?? 'mean');
  checkFloat('nllLoss', input);
  const [x, t, unbatched] = batchify(input, target);
  if (x.ndim < 2) throw new ShapeError(`nllLoss: expected input [N, C, ...] or [C], got ${fmtShape(input.shape)}`);
  const { index, w } = classTargets('nllLoss', x, t, opts);
  const picked = squeeze(gather(x, 1, unsqueeze(index, 1)), 1);
  return finishClassLoss(neg(mul(picked, w)), w, reduction, unbatched);
}

/**
 * Cross-entropy between logits [N, C, ...] (or [C]) and either int32 class
 * indices [N, ...] or class probabilities of the logits' shape:
 * logSoftmax over dim 1 followed by nllLoss, with optional label smoothing
 * (PyTorch's formula, weights and ignoreIndex included).
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions | Reduction = {}): Tensor {
  const opts = classOptions(options);
  const reduction = checkReduction('crossEntropy', opts.reduction ?? 'mean');
  checkFloat('crossEntropy', input);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const [x, t, unbatched] = batchify(input, target);
  if (x.ndim < 2) throw new ShapeError(`crossEntropy: expected logits [N, C, ...] or [C], got ${fmtShape(input.shape)}`);
  const C = x.shape[1]!;
  const logp = logSoftmax(x, 1);
  const weight = opts.weight ?? null;
  const wshape = x.shape.map((s, d) => (d === 1 ? s : 1));
  if (isFloat(target.dtype)) return softCrossEntropy(logp, t, weight, wshape, eps, reduction, unbatched);
  const { index, w, mask } = classTargets('crossEntropy', x, t, opts);
  const picked = squeeze(gather(logp, 1, unsqueeze(index, 1)), 1);
  const nll = neg(mul(picked, w));
  if (eps === 0) return finishClassLoss(nll, w, reduction, unbatched);
  // Smoothing term: -Σ_c weight_c·logp_c per sample, zero where the target is ignored.
  const lw = weight ? mul(logp, reshape(weight, wshape)) : logp;
  const smooth = mul(neg(squeeze(sum(lw, 1, true), 1)), mask);
  if (reduction === 'none') {
    const l = add(mul(nll, 1 - eps), mul(smooth, eps / C));
    return unbatched ? squeeze(l, 0) : l;
  }
  if (reduction === 'sum') return add(mul(sum(nll), 1 - eps), mul(sum(smooth), eps / C));
  const denom = weight ? sum(w) : sum(mask);
  return add(mul(div(sum(nll), denom), 1 - eps), mul(div(sum(smooth), denom), eps / C));
}

function softCrossEntropy(logp: Tensor, target: Tensor, weight: Tensor | null, wshape: number[], eps: number, reduction: Reduction, unbatched: boolean): Tensor {
  if (!shapesEqual(target.shape, logp.shape)) {
    throw new ShapeError(`crossEntropy: probability targets must have the logits' shape ${fmtShape(logp.shape)}, got ${fmtShape(target.shape)}`);
  }
  const C = logp.shape[1]!;
  const t = eps > 0 ? add(mul(target, 1 - eps), eps / C) : target;
  let prod = mul(logp, t);
  if (weight) prod = mul(prod, reshape(weight, wshape));
  const perSample = neg(squeeze(sum(prod, 1, true), 1));
  if (reduction === 'none') return unbatched ? squeeze(perSample, 0) : perSample;
  if (reduction === 'sum') return sum(perSample);
  // PyTorch divides by the batch size (times any extra dims) for probability targets.
  return div(sum(perSample), perSample.numel());
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(`${op}: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} must have the same shape (no implicit broadcasting; reshape one of them)`);
  }
}

/** Mean squared error: mean((input - target)²) (or sum / none). */
export function mseLoss(input: Tensor, target: Tensor, opts: Reduction | LossOptions = 'mean'): Tensor {
  const reduction = reductionOf('mseLoss', opts);
  checkSameShape('mseLoss', input, target);
  return reduce(square(sub(input, target)), reduction);
}

/** Mean absolute error: mean(|input - target|) (or sum / none). */
export function l1Loss(input: Tensor, target: Tensor, opts: Reduction | LossOptions = 'mean'): Tensor {
  const reduction = reductionOf('l1Loss', opts);
  checkSameShape('l1Loss', input, target);
  return reduce(abs(sub(input, target)), reduction);
}

/** Binary cross-entropy of probabilities: -(t·log p + (1 - t)·log(1 - p)), logs clamped at -100 like PyTorch. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: Reduction | LossOptions = 'mean'): Tensor {
  const reduction = reductionOf('binaryCrossEntropy', opts);
  checkSameShape('binaryCrossEntropy', input, target);
  const lp = maximum(log(input), -100);
  const lq = maximum(log(sub(1, input)), -100);
  return reduce(neg(add(mul(target, lp), mul(sub(1, target), lq))), reduction);
}

/** Binary cross-entropy on logits, computed stably: max(x, 0) - x·t + log(1 + e^-|x|). */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, opts: Reduction | LossOptions = 'mean'): Tensor {
  const reduction = reductionOf('binaryCrossEntropyWithLogits', opts);
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  return reduce(sub(softplus(input), mul(input, target)), reduction);
}
