import { ShapeError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../tensor/tape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { full, zeros } from '../../tensor/creation.js';
import { add_ } from '../../ops/inplace.js';
import { batchNorm, batchNormComposed, layerNorm } from '../functional.js';
import { batchNormFunction, layerNormFunction } from '../fused-norms.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { layerDType, type LayerOptions } from './options.js';

/**
 * Which implementation a norm layer runs.
 * - 'kernels' (default): the fastest. BatchNorm runs its per-channel backend kernels
 *   (functional.batchNorm: channelStats, channelGradSums, channelAffine); LayerNorm, which has
 *   no backend kernel, runs its custom Function.
 * - 'function': the custom Function with a hand-derived backward (BatchNormFunction /
 *   LayerNormFunction, the custom-op lesson in src/nn/fused-norms.ts).
 * - 'autograd': the composition of elementwise ops and reductions, differentiated by autograd
 *   (the slow reference).
 * - 'fused': deprecated alias of 'kernels' (the old name); the layer's `impl` reads 'kernels'.
 */
export type NormImpl = 'kernels' | 'function' | 'autograd' | 'fused';

/** The implementation an `impl` option names, with the deprecated alias resolved. */
function resolveImpl(impl: NormImpl | undefined): Exclude<NormImpl, 'fused'> {
  return impl === undefined || impl === 'fused' ? 'kernels' : impl;
}

const BATCH_NORMS = { kernels: batchNorm, function: batchNormFunction, autograd: batchNormComposed } as const;

/** Options of BatchNorm1d / BatchNorm2d. */
export interface BatchNormOptions extends Omit<LayerOptions, 'generator'> {
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval uses batch statistics. */
  trackRunningStats?: boolean;
  impl?: NormImpl;
}

/**
 * Shared body of BatchNorm1d and BatchNorm2d: per-channel normalisation with
 * learnable weight (ones) and bias (zeros), and the buffers running_mean,
 * running_var and num_batches_tracked (PyTorch's names, so state dicts match).
 */
export abstract class BatchNormBase extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly trackRunningStats: boolean;
  impl: NormImpl;
  protected abstract readonly allowedDims: readonly number[];

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new ShapeError(`${new.target.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    const dtype = layerDType(opts);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.impl = resolveImpl(opts.impl);
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(full([numFeatures], 1, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', zeros([numFeatures], { dtype }));
      this.registerBuffer('running_var', full([numFeatures], 1, { dtype }));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    }
  }

  /** The running mean buffer (null when not tracking). */
  get runningMean(): Tensor | null {
    return this.trackRunningStats ? this.getBuffer('running_mean') : null;
  }

  /** The running (unbiased) variance buffer (null when not tracking). */
  get runningVar(): Tensor | null {
    return this.trackRunningStats ? this.getBuffer('running_var') : null;
  }

  /** How many training batches have updated the running statistics. */
  get numBatchesTracked(): number {
    return this.trackRunningStats ? this.getBuffer('num_batches_tracked').item() : 0;
  }

  /** Resets the running statistics to mean 0, variance 1 and zero batches. */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.getBuffer('running_mean').zero_();
      this.getBuffer('running_var').fill_(1);
      this.getBuffer('num_batches_tracked').zero_();
    });
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!this.allowedDims.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      const want = this.allowedDims.map((d) => (d === 2 ? `[N, ${this.numFeatures}]` : d === 3 ? `[N, ${this.numFeatures}, L]` : `[N, ${this.numFeatures}, H, W]`)).join(' or ');
      throw new ShapeError(`${name}(${this.numFeatures}): expected input ${want}, got ${fmtShape(x.shape)}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats) {
      const nbt = this.getBuffer('num_batches_tracked');
      noGrad(() => add_(nbt, 1));
      factor = this.momentum === null ? 1 / nbt.item() : this.momentum;
    }
    const useBatch = this.training || !this.trackRunningStats;
    const track = this.training ? this.trackRunningStats : true;
    const rm = track ? this.runningMean : null;
    const rv = track ? this.runningVar : null;
    const opts = { training: useBatch, momentum: factor, eps: this.eps };
    return BATCH_NORMS[resolveImpl(this.impl)](x, rm, rv, this.weight, this.bias, opts);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch normalisation of [N, C] or [N, C, L] inputs over the channel dim. */
export class BatchNorm1d extends BatchNormBase {
  protected readonly allowedDims = [2, 3] as const;
}

/** Batch normalisation of [N, C, H, W] inputs over the channel dim. */
export class BatchNorm2d extends BatchNormBase {
  protected readonly allowedDims = [4] as const;
}

/** Options of LayerNorm. */
export interface LayerNormOptions extends Omit<LayerOptions, 'generator'> {
  eps?: number;
  /** Learn an elementwise scale (ones) and shift (zeros) of the normalised shape (default true). */
  elementwiseAffine?: boolean;
  impl?: NormImpl;
}

/** Normalises over the trailing `normalizedShape` dims of each sample. */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  impl: NormImpl;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || !this.normalizedShape.every((s) => Number.isInteger(s) && s > 0)) {
      throw new ShapeError(`LayerNorm: normalizedShape must be positive integers, got ${JSON.stringify(normalizedShape)}`);
    }
    this.eps = opts.eps ?? 1e-5;
    this.impl = resolveImpl(opts.impl);
    const dtype = layerDType(opts);
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(full(this.normalizedShape, 1, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    const f = this.impl === 'autograd' ? layerNorm : layerNormFunction;
    return f(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${JSON.stringify(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
