import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { rand, zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { sum } from '../ops/broadcast.js';
import { add, mul, sub } from '../ops/elementwise.js';
import { bmm, matmul } from '../ops/matmul.js';
import { reshape, transpose } from '../ops/shape.js';
import { LayerError } from './errors.js';
import { Layer, type NamedTensors } from './layer.js';

/** Options of Linear. */
export interface LinearOptions {
  /** Adds a learnable bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Random source of the initialisation (default: the global seeded generator). */
  generator?: Generator;
  /** Also keep per-sample gradients [batch, ...] after each backward (for teaching; costs memory). */
  perSampleGrads?: boolean;
}

/** Samples U(-bound, bound) of the given shape. */
function uniform(shape: number[], bound: number, dtype: 'float32' | 'float64', generator: Generator): Tensor {
  return sub(mul(rand(shape, { dtype, generator }), 2 * bound), bound);
}

/**
 * Fully connected layer y = x·Wᵀ + b with W [out, in] and b [out], like
 * torch.nn.Linear. Input [..., in], output [..., out]. Initialisation is
 * PyTorch's default: kaiming_uniform(a=√5) for W, which is U(-1/√in, 1/√in),
 * and the same bound for b.
 *
 * Backward, with X the input flattened to [N, in] and G = ∂L/∂Y as [N, out]:
 * ∂L/∂W = Gᵀ·X, ∂L/∂b = Σₙ G, ∂L/∂X = G·W.
 */
export class Linear extends Layer {
  /** Weight [outFeatures, inFeatures]. */
  readonly weight: Tensor;
  /** Bias [outFeatures], or null. */
  readonly bias: Tensor | null;
  /** ∂L/∂weight from the last backward. */
  readonly weightGrad: Tensor;
  /** ∂L/∂bias from the last backward, or null. */
  readonly biasGrad: Tensor | null;
  /** Whether backward also computes per-sample gradients. */
  perSampleGrads: boolean;
  private x2: Tensor | null = null;
  private xShape: readonly number[] = [];
  private samples: NamedTensors = new Map();

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new LayerError(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    const dtype = opts.dtype ?? 'float32';
    const g = opts.generator ?? defaultGenerator;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniform([outFeatures, inFeatures], bound, dtype, g);
    this.bias = opts.bias === false ? null : uniform([outFeatures], bound, dtype, g);
    this.weightGrad = zeros([outFeatures, inFeatures], { dtype });
    this.biasGrad = this.bias ? zeros([outFeatures], { dtype }) : null;
    this.perSampleGrads = opts.perSampleGrads ?? false;
  }

  /** `Linear(in→out)`, with `, bias=false` when there is no bias. */
  describe(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias ? '' : ', bias=false'})`;
  }

  protected computeForward(x: Tensor): Tensor {
    const name = this.describe();
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(
        `${name}: input ${fmtShape(x.shape)} has ${x.ndim < 1 ? 'no feature dimension' : `${x.shape[x.ndim - 1]} features in its last dimension`}, ` +
          `expected ${this.inFeatures} (weight ${fmtShape(this.weight.shape)}); flatten images first, e.g. with Flatten()`,
      );
    }
    if (x.dtype !== this.weight.dtype) {
      throw new DTypeError(`${name}: input is ${x.dtype} but the weight is ${this.weight.dtype}; convert the input with .to('${this.weight.dtype}')`);
    }
    this.xShape = x.shape;
    this.x2 = reshape(x, [-1, this.inFeatures]);
    let y = matmul(this.x2, transpose(this.weight, 0, 1));
    if (this.bias) y = add(y, this.bias);
    return reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }

  protected computeBackward(dOut: Tensor): Tensor {
    this.computeParamGrads(dOut);
    return reshape(matmul(reshape(dOut, [-1, this.outFeatures]), this.weight), this.xShape);
  }

  protected override computeParamGrads(dOut: Tensor): void {
    const g2 = reshape(dOut, [-1, this.outFeatures]);
    this.weightGrad.copy_(matmul(transpose(g2, 0, 1), this.x2!));
    if (this.biasGrad) this.biasGrad.copy_(sum(g2, 0));
    if (this.perSampleGrads) this.computeSamples(dOut);
  }

  /** Per-sample gradients over the first dim: ∂Lₙ/∂W = Gₙᵀ·Xₙ (a batched outer product), ∂Lₙ/∂b = Σ Gₙ. */
  private computeSamples(dOut: Tensor): void {
    if (this.xShape.length < 2) {
      throw new ShapeError(`${this.describe()}: per-sample gradients need a batch dimension, the input was ${fmtShape(this.xShape)}`);
    }
    const b = this.xShape[0]!;
    const g3 = reshape(dOut, [b, -1, this.outFeatures]);
    const x3 = reshape(this.x2!, [b, -1, this.inFeatures]);
    this.samples = new Map([['weight', bmm(transpose(g3, 1, 2), x3)]]);
    if (this.bias) this.samples.set('bias', sum(g3, 1));
  }

  override params(): NamedTensors {
    const m = new Map([['weight', this.weight]]);
    if (this.bias) m.set('bias', this.bias);
    return m;
  }

  override grads(): NamedTensors {
    const m = new Map([['weight', this.weightGrad]]);
    if (this.biasGrad) m.set('bias', this.biasGrad);
    return m;
  }

  override gradSamples(): NamedTensors {
    return new Map(this.samples);
  }
}
