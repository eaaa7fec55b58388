import { Function as AutogradFunction, type FunctionCtx } from '../autograd/function.js';
import { TsgradError } from '../core/errors.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import type { Tensor } from '../tensor/tensor.js';

/** A hand-derived layer model (tsgrad/layers: MLP, Sequential, Linear, ...): explicit forward and backward. */
export interface LayerModel {
  forward(x: Tensor): Tensor;
  backward(dOut: Tensor): Tensor;
  /** Fills the parameter gradients without computing ∂L/∂input (optional). */
  backwardParams?(dOut: Tensor): void;
  params(): Map<string, Tensor>;
  grads(): Map<string, Tensor>;
  train?(mode?: boolean): unknown;
}

/** True for an object shaped like a layer model (and not an nn.Module). */
export function isLayerModel(m: unknown): m is LayerModel {
  if (m instanceof Module || typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  return ['forward', 'backward', 'params', 'grads'].every((k) => typeof o[k] === 'function');
}

/** Holds parameters under one segment of a dotted name, so state-dict keys equal the layer model's names. */
class ParamHolder extends Module {
  forward(): Tensor {
    throw new TsgradError('LayerModule: a parameter holder has no forward');
  }
}

/** The submodule at `path` under `root`, creating empty holders on the way. */
function holderOf(root: Module, path: readonly string[]): Module {
  let holder = root;
  for (const seg of path) {
    const next = (holder as unknown as Record<string, unknown>)[seg];
    holder = next instanceof Module ? next : (holder.registerModule(seg, new ParamHolder()) as Module);
  }
  return holder;
}

/**
 * An nn.Module view of a hand-derived layer model, so everything built for modules (the Trainer,
 * FitResult, checkpoints, tg.optim optimizers, state dicts) works on it. Forward runs the layers'
 * forward; autograd's backward calls the layers' hand-derived backward (no autograd inside them)
 * and hands each parameter the gradient that backward computed. The Parameters share storage with
 * the layer model's tensors, so updates by either side are seen by both.
 */
export class LayerModule extends Module {
  // #-private: Module's field walk (Object.keys) must not see an array of Parameters.
  readonly #paramList: Parameter[];
  readonly #fn: typeof AutogradFunction;

  constructor(readonly net: LayerModel) {
    super();
    if (!isLayerModel(net)) throw new TypeError('LayerModule: expected a layer model with forward, backward, params and grads');
    const names = [...net.params().keys()];
    this.#paramList = names.map((name) => {
      const t = net.params().get(name)!;
      const p = new Parameter(t);
      if (p.data !== t.data) throw new TsgradError(`LayerModule: parameter ${name} is not contiguous, so it cannot be shared`);
      const parts = name.split('.');
      holderOf(this, parts.slice(0, -1)).registerParameter(parts[parts.length - 1]!, p);
      return p;
    });
    this.#fn = class LayerForward extends AutogradFunction {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        ctx.state['x'] = x;
        return net.forward(x);
      }
      static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
        let dx: Tensor | null = null;
        if (ctx.needsInputGrad[0] || !net.backwardParams) dx = net.backward(g);
        else net.backwardParams(g);
        const grads = net.grads();
        // Clones: the layers overwrite their gradient tensors on the next backward.
        return [ctx.needsInputGrad[0] ? dx : null, ...names.map((n) => grads.get(n)!.clone())];
      }
    };
  }

  /** Runs the layer model's forward, recorded so that backward() reaches its hand-derived backward. */
  forward(x: Tensor): Tensor {
    return this.#fn.apply(x, ...this.#paramList);
  }

  /** Sets training mode here and on the layer model (Dropout). */
  override train(mode = true): this {
    super.train(mode);
    this.net.train?.(mode);
    return this;
  }
}
