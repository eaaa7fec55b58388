import { TsgradError, ShapeError } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul } from '../ops/elementwise.js';
import { empty } from '../ops/util.js';
import { ELU, LeakyReLU, ReLU, Tanh } from '../nn/layers/activation.js';
import { Sequential } from '../nn/layers/container.js';
import { Linear } from '../nn/layers/linear.js';
import { AvgPool2d, MaxPool2d } from '../nn/layers/pooling.js';
import { Module } from '../nn/module.js';

/** Hidden activations the models accept by name. */
export type ActivationName = 'relu' | 'lrelu' | 'elu' | 'tanh';
/** Pooling layers the models accept by name. */
export type PoolingName = 'max' | 'avg';

/** A new activation module by name (lrelu has slope 0.01, elu alpha 1, as in PyTorch). */
export function makeActivation(name: string, where: string): Module {
  switch (name) {
    case 'relu':
      return new ReLU();
    case 'lrelu':
      return new LeakyReLU(0.01);
    case 'elu':
      return new ELU();
    case 'tanh':
      return new Tanh();
    default:
      throw new TsgradError(`${where}: unknown activation ${JSON.stringify(name)}; expected relu, lrelu, elu or tanh`);
  }
}

/** A 2×2, stride-2 pooling layer by name. */
export function makePool(name: string, where: string): Module {
  if (name === 'max') return new MaxPool2d(2);
  if (name === 'avg') return new AvgPool2d(2);
  throw new TsgradError(`${where}: unknown pooling ${JSON.stringify(name)}; expected max or avg`);
}

/** (Linear → act) per hidden width, then Linear to the classes. */
export function mlpHead(inFeatures: number, hiddenDims: readonly number[], outClasses: number, activation: string, where: string): Sequential {
  const layers: Module[] = [];
  let prev = inFeatures;
  for (const h of hiddenDims) {
    layers.push(new Linear(prev, h), makeActivation(activation, where));
    prev = h;
  }
  layers.push(new Linear(prev, outClasses));
  return new Sequential(...layers);
}

/** Checks an [C, H, W] input size. */
export function checkInSize(inSize: readonly number[], where: string): [number, number, number] {
  if (inSize.length !== 3 || inSize.some((d) => !Number.isInteger(d) || d < 1)) throw new ShapeError(`${where}: inSize must be [C, H, W] with positive integers, got ${JSON.stringify(inSize)}`);
  return [inSize[0]!, inSize[1]!, inSize[2]!];
}

/** Checks a list of positive integer channel counts. */
export function checkChannels(channels: readonly number[], what: string, where: string, allowEmpty = false): void {
  if ((!allowEmpty && channels.length === 0) || channels.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new TsgradError(`${where}: ${what} must be a ${allowEmpty ? '' : 'non-empty '}list of positive integers, got ${JSON.stringify(channels)}`);
  }
}

/** Throws when `pools` 2×2 poolings shrink an H×W map to nothing. */
export function checkShrink(h: number, w: number, pools: number, where: string, hint: string): [number, number] {
  let hh = h;
  let ww = w;
  for (let i = 0; i < pools; i++) {
    hh = Math.floor(hh / 2);
    ww = Math.floor(ww / 2);
    if (hh < 1 || ww < 1) {
      throw new ShapeError(`${where}: the ${h}×${w} input shrinks to ${hh}×${ww} after ${i + 1} of its ${pools} 2×2 poolings (${hint}); use fewer layers, a larger pool interval P, or a larger input`);
    }
  }
  return [hh, ww];
}

/**
 * Channel dropout (PyTorch's Dropout2d): in training, zeroes whole feature maps of x [N, C, H, W]
 * with probability p and scales the rest by 1/(1-p); the identity in eval mode.
 */
export class Dropout2d extends Module {
  constructor(
    readonly p = 0.5,
    readonly generator: Generator = defaultGenerator,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout2d: probability p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    if (x.ndim !== 4) throw new ShapeError(`Dropout2d: expected input [N, C, H, W], got [${x.shape.join(',')}]`);
    const mask = empty([x.shape[0]!, x.shape[1]!, 1, 1], x.dtype);
    const keep = 1 - this.p;
    for (let i = 0; i < mask.data.length; i++) mask.data[i] = this.generator.random() < keep ? 1 / keep : 0;
    return mul(x, mask);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Throws unless x is [N, ...inSize]. */
export function checkInput(x: Tensor, inSize: readonly number[], where: string): void {
  if (x.ndim !== inSize.length + 1 || inSize.some((d, i) => x.shape[i + 1] !== d)) {
    throw new ShapeError(`${where}: expected input [N, ${inSize.join(', ')}], got [${x.shape.join(', ')}]`);
  }
}

/**
 * Validates the configuration ConvClassifier and ResNetClassifier share (input size, channels, pool
 * period, hidden widths); returns the input channels and the feature-map size after the pools.
 */
export function checkConvStack(
  where: string, inSize: readonly number[], channels: readonly number[], poolEvery: number, hiddenDims: readonly number[],
): { inChannels: number; fh: number; fw: number } {
  const [c, h, w] = checkInSize(inSize, where);
  checkChannels(channels, 'channels', where);
  checkChannels(hiddenDims, 'hiddenDims', where, true);
  if (!Number.isInteger(poolEvery) || poolEvery < 1) throw new RangeError(`${where}: poolEvery must be a positive integer, got ${poolEvery}`);
  const [fh, fw] = checkShrink(h, w, Math.floor(channels.length / poolEvery), where, `${channels.length} convs, a pool every ${poolEvery}`);
  return { inChannels: c, fh, fw };
}
