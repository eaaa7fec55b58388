/**
 * Weight initialisers with PyTorch's formulas (torch.nn.init), drawing from
 * the seeded generator (the default one unless `generator` is given). Each
 * fills its tensor in place, outside autograd, and returns it.
 */
import { ShapeError, TsgradError, fmtShape } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { noGrad } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Fan mode of the Kaiming initialisers. */
export type FanMode = 'fanIn' | 'fanOut';

/** Non-linearities calculateGain knows. */
export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/** Options of the Kaiming initialisers. */
export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/** Writes sample() into every element of t (whatever its layout), bumping its version. */
function fill(t: Tensor, sample: () => number): Tensor {
  noGrad(() => {
    const idx = (d: number, off: number): void => {
      if (d === t.ndim) {
        t.data[off] = sample();
        return;
      }
      for (let i = 0; i < t.shape[d]!; i++) idx(d + 1, off + i * t.strides[d]!);
    };
    if (t.isContiguous()) for (let i = 0; i < t.numel(); i++) t.data[t.offset + i] = sample();
    else idx(0, t.offset);
    t._version.value++;
  });
  return t;
}

/** The recommended gain for a non-linearity (PyTorch's calculate_gain). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new TsgradError(`calculateGain: unknown non-linearity "${String(nonlinearity)}"`);
  }
}

/** Fan-in and fan-out of a weight: [out, in, ...kernel] gives in·k and out·k. */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new ShapeError(`init: fan in and fan out cannot be computed for a tensor of fewer than 2 dims, got ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** Fills with U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, generator: Generator = defaultGenerator): Tensor {
  return fill(t, () => a + (b - a) * generator.random());
}

/** Fills with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  return fill(t, () => mean + std * generator.normal());
}

/** Fills with a constant. */
export function constant_(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

/** Fills with zeros. */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fills with ones. */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** Kaiming (He) uniform: U(-b, b) with b = gain·sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound, opts.generator);
}

/** Kaiming (He) normal: N(0, (gain / sqrt(fan))²). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts), opts.generator);
}

/** Xavier (Glorot) uniform: U(-b, b) with b = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -bound, bound, generator);
}

/** Xavier (Glorot) normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}
