import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import '../ops/index.js';
import { LayerError } from './errors.js';

/** Named tensors of a layer (parameters, gradients, per-sample gradients), in a stable order. */
export type NamedTensors = Map<string, Tensor>;

/**
 * A module with a hand-derived backward pass. `forward(x)` computes the output
 * and keeps what the backward pass needs; `backward(dOut)` takes ∂L/∂output,
 * fills the gradient of every parameter (overwriting it, the textbook
 * convention) and returns ∂L/∂input. Both run with autograd off, on ordinary
 * tensors, with batched tensor ops.
 */
export abstract class Layer {
  /** Training mode (the default); eval() turns it off, which changes Dropout. */
  training = true;
  private outShape: readonly number[] | null = null;
  private outDType: string | null = null;

  /** A short description used in error messages and printouts, e.g. `Linear(784→100)`. */
  abstract describe(): string;

  /** The layer's forward math; called with autograd off. */
  protected abstract computeForward(x: Tensor): Tensor;

  /** The layer's backward math; called with autograd off, after the checks. */
  protected abstract computeBackward(dOut: Tensor): Tensor;

  /** Computes the output for a batch and keeps what backward needs. */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`${this.describe()}.forward: expected a Tensor, got ${typeof x}`);
    const y = noGrad(() => this.computeForward(x));
    this.outShape = y.shape;
    this.outDType = y.dtype;
    return y;
  }

  /** Returns ∂L/∂input for ∂L/∂output `dOut` and fills the parameter gradients. */
  backward(dOut: Tensor): Tensor {
    this.checkBackward(dOut);
    return noGrad(() => this.computeBackward(dOut));
  }

  /**
   * Fills the parameter gradients like backward but skips ∂L/∂input, which is
   * wasted work for the first layer of a network (its input is data; PyTorch
   * skips it too because the input does not require grad). For Linear this
   * saves one of its three matrix products.
   */
  backwardParams(dOut: Tensor): void {
    this.checkBackward(dOut);
    noGrad(() => this.computeParamGrads(dOut));
  }

  /** The parameter-gradient part of backward; by default the whole backward (its result dropped), nothing for layers without parameters. */
  protected computeParamGrads(dOut: Tensor): void {
    if (this.params().size > 0) this.computeBackward(dOut);
  }

  /** Throws unless a forward ran and `dOut` has its output's shape and dtype. */
  protected checkBackward(dOut: Tensor): void {
    const name = this.describe();
    if (!(dOut instanceof Tensor)) throw new TypeError(`${name}.backward: expected a Tensor, got ${typeof dOut}`);
    if (this.outShape === null) {
      throw new LayerError(`${name}.backward: called before forward; run forward(x) first so the layer has the values its gradient needs`);
    }
    if (dOut.shape.length !== this.outShape.length || dOut.shape.some((s, i) => s !== this.outShape![i])) {
      throw new ShapeError(`${name}.backward: dOut has shape ${fmtShape(dOut.shape)}, expected the shape of the last forward output ${fmtShape(this.outShape)}`);
    }
    if (dOut.dtype !== this.outDType) {
      throw new DTypeError(`${name}.backward: dOut is ${dOut.dtype}, expected ${this.outDType} like the forward output`);
    }
  }

  /** Parameters by name (PyTorch's named_parameters); empty for layers without any. */
  params(): NamedTensors {
    return new Map();
  }

  /** Gradients by the same names as params(), filled by the last backward (zeros before it). */
  grads(): NamedTensors {
    return new Map();
  }

  /**
   * Per-sample parameter gradients by name, each [batch, ...param shape], from the
   * last backward of layers built with `perSampleGrads: true`; they sum over the
   * batch to grads().
   */
  gradSamples(): NamedTensors {
    return new Map();
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    for (const g of this.grads().values()) g.zero_();
  }

  /** Switches training mode on (default) or off; returns this. */
  train(mode = true): this {
    this.training = mode;
    return this;
  }

  /** Switches to evaluation mode (Dropout becomes the identity); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Total number of parameter elements. */
  numParams(): number {
    let n = 0;
    for (const p of this.params().values()) n += p.numel();
    return n;
  }

  /** The layer's description. */
  toString(): string {
    return this.describe();
  }
}
