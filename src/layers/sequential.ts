import type { Tensor } from '../tensor/tensor.js';
import { LayerError } from './errors.js';
import { Layer, type NamedTensors } from './layer.js';

/** Prefixes every name of a child's map with `i.`, as PyTorch names Sequential children. */
function prefixed(layers: readonly Layer[], pick: (l: Layer) => NamedTensors): NamedTensors {
  const out: NamedTensors = new Map();
  layers.forEach((l, i) => {
    for (const [k, v] of pick(l)) out.set(`${i}.${k}`, v);
  });
  return out;
}

/**
 * A chain of layers: forward runs them in order, backward in reverse, each
 * layer's backward receiving the gradient the next one returned. Parameter
 * names are `<index>.<name>` (`0.weight`), as in torch.nn.Sequential.
 */
export class Sequential extends Layer {
  /** The layers, in forward order. */
  readonly layers: Layer[];

  constructor(...layers: Layer[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new LayerError(`Sequential: argument ${i} is not a Layer`);
    });
    this.layers = layers;
  }

  /** Appends a layer; returns this. */
  add(layer: Layer): this {
    if (!(layer instanceof Layer)) throw new LayerError('Sequential.add: expected a Layer');
    this.layers.push(layer);
    return this;
  }

  describe(): string {
    return `${this.constructor.name}(${this.layers.map((l) => l.describe()).join(' → ')})`;
  }

  protected computeForward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(h);
    return h;
  }

  protected computeBackward(dOut: Tensor): Tensor {
    let g = dOut;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i]!.backward(g);
    return g;
  }

  /** Backward down to the first layer with parameters, which skips its input gradient; layers before it are not visited. */
  protected override computeParamGrads(dOut: Tensor): void {
    const first = this.layers.findIndex((l) => l.params().size > 0);
    if (first < 0) return;
    let g = dOut;
    for (let i = this.layers.length - 1; i > first; i--) g = this.layers[i]!.backward(g);
    this.layers[first]!.backwardParams(g);
  }

  override params(): NamedTensors {
    return prefixed(this.layers, (l) => l.params());
  }

  override grads(): NamedTensors {
    return prefixed(this.layers, (l) => l.grads());
  }

  override gradSamples(): NamedTensors {
    return prefixed(this.layers, (l) => l.gradSamples());
  }

  override train(mode = true): this {
    this.training = mode;
    for (const l of this.layers) l.train(mode);
    return this;
  }

  /** One line per layer, like PyTorch's printout. */
  override toString(): string {
    return `${this.constructor.name}(\n${this.layers.map((l, i) => `  (${i}): ${l.describe()}`).join('\n')}\n)`;
  }
}
