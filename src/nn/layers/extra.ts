import { DTypeError, ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { full, zeros } from '../../tensor/creation.js';
import { conv2d } from '../../ops/conv.js';
import { indexSelect } from '../../ops/indexing.js';
import { reshape, squeeze, unsqueeze } from '../../ops/shape.js';
import { empty as emptyTensor } from '../../ops/util.js';
import { groupNorm } from '../functional.js';
import { kaimingUniform_, normal_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { layerDType, type LayerOptions } from './options.js';

/** A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1) like PyTorch. */
export class Embedding extends Module {
  weight: Parameter;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: LayerOptions = {},
  ) {
    super();
    this.weight = new Parameter(normal_(emptyTensor([numEmbeddings, embeddingDim], layerDType(opts)), 0, 1, opts.generator));
  }

  /** int32 indices of any shape -> [...shape, embeddingDim]. */
  forward(idx: Tensor): Tensor {
    if (idx.dtype !== 'int32') throw new DTypeError(`Embedding: indices must be int32, got ${idx.dtype}`);
    const flatIdx = reshape(idx, [idx.numel()]);
    return reshape(indexSelect(this.weight, 0, flatIdx), [...idx.shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/** Options of GroupNorm. */
export interface GroupNormOptions extends Omit<LayerOptions, 'generator'> {
  eps?: number;
  affine?: boolean;
}

/** Normalises each group of numChannels/numGroups channels of each sample, then a per-channel affine map. */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    opts: GroupNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0) {
      throw new ShapeError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    }
    this.eps = opts.eps ?? 1e-5;
    const dtype = layerDType(opts);
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(full([numChannels], 1, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm(${this.numGroups}, ${this.numChannels}): expected input [N, ${this.numChannels}, ...], got ${fmtShape(x.shape)}`);
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}

/** Options of Conv1d. */
export interface Conv1dOptions extends LayerOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

/** 1-d convolution over x [N, C, L] (run as a 2-d convolution of height 1); PyTorch's initialisation. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv1dOptions = {},
  ) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.groups = opts.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups < 1 || inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new ShapeError(`Conv1d: groups=${this.groups} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    const dtype = layerDType(opts);
    this.weight = new Parameter(kaimingUniform_(emptyTensor([outChannels, inChannels / this.groups, kernelSize], dtype), { a: Math.sqrt(5), generator: opts.generator }));
    const fanIn = (inChannels / this.groups) * kernelSize;
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    this.bias = opts.bias === false ? null : new Parameter(uniform_(emptyTensor([outChannels], dtype), -bound, bound, opts.generator));
  }

  /** x [N, in, L] -> [N, out, L']. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv1d(${this.inChannels}, ${this.outChannels}): expected input [N, ${this.inChannels}, L], got ${fmtShape(x.shape)}`);
    }
    const y = conv2d(unsqueeze(x, 2), unsqueeze(this.weight, 2), this.bias, {
      stride: [1, this.stride], padding: [0, this.padding], dilation: [1, this.dilation], groups: this.groups,
    });
    return squeeze(y, 2);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}`;
  }
}
