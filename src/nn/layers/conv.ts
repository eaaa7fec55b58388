import { ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { conv2d, type Size2 } from '../../ops/conv.js';
import { empty as emptyTensor } from '../../ops/util.js';
import { kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { layerDType, type LayerOptions } from './options.js';

/** Options of Conv2d. */
export interface Conv2dLayerOptions extends LayerOptions {
  stride?: Size2;
  /** Zero padding on each side, or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: Size2 | 'valid' | 'same';
  dilation?: Size2;
  groups?: number;
  bias?: boolean;
}

function pair(v: Size2): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * 2-d convolution over x [N, C, H, W] with weight [out, in/groups, kh, kw]
 * and bias [out], initialised like PyTorch (kaiming-uniform, a = √5).
 */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    opts: Conv2dLayerOptions = {},
  ) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts.stride ?? 1);
    this.dilation = pair(opts.dilation ?? 1);
    this.groups = opts.groups ?? 1;
    const pad = opts.padding ?? 0;
    if (pad === 'valid') this.padding = [0, 0];
    else if (pad === 'same') {
      if (this.stride.some((s) => s !== 1)) throw new ShapeError(`Conv2d: padding 'same' needs stride 1, got stride ${JSON.stringify(this.stride)}`);
      const total = this.kernelSize.map((k, i) => this.dilation[i]! * (k - 1));
      if (total.some((t) => t % 2 !== 0)) throw new ShapeError(`Conv2d: padding 'same' needs an odd effective kernel, got kernel ${JSON.stringify(this.kernelSize)}`);
      this.padding = [total[0]! / 2, total[1]! / 2];
    } else this.padding = pair(pad);
    const g = this.groups;
    if (!Number.isInteger(g) || g < 1 || inChannels % g !== 0 || outChannels % g !== 0) {
      throw new ShapeError(`Conv2d: groups=${g} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
    }
    const dtype = layerDType(opts);
    const w = emptyTensor([outChannels, inChannels / g, ...this.kernelSize], dtype);
    this.weight = new Parameter(kaimingUniform_(w, { a: Math.sqrt(5), generator: opts.generator }));
    const fanIn = (inChannels / g) * this.kernelSize[0] * this.kernelSize[1];
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    this.bias = opts.bias === false ? null : new Parameter(uniform_(emptyTensor([outChannels], dtype), -bound, bound, opts.generator));
  }

  /** x [N, in, H, W] -> [N, out, H', W']. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv2d(${this.inChannels}, ${this.outChannels}): expected input [N, ${this.inChannels}, H, W], got ${fmtShape(x.shape)}`);
    }
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const k = this.kernelSize.join('x');
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${k}, stride=${this.stride.join(',')}, padding=${this.padding.join(',')}${this.groups > 1 ? `, groups=${this.groups}` : ''}${this.bias ? '' : ', bias=false'}`;
  }
}
