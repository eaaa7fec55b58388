import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type ParamState, type ParamsArg } from './optimizer.js';

/** Hyperparameters of Adagrad. */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/**
 * One Adagrad update of `param` in place (PyTorch's algorithm), t counting from 1:
 *
 *   g ← ∇ + λ·θ
 *   s ← s + g²                               (state.sum, starting at initialAccumulatorValue)
 *   θ ← θ − η / (1 + (t − 1)·lrDecay) · g / (√s + ε)
 */
export function adagradUpdate(param: Tensor, grad: Tensor, state: ParamState, h: AdagradOptions): void {
  const p = param.data;
  const g = grad.data;
  const po = param.offset;
  const go = grad.offset;
  const n = param.numel();
  const t = ((state['step'] as number | undefined) ?? 0) + 1;
  state['step'] = t;
  let sumT = state['sum'] as Tensor | undefined;
  if (!sumT) {
    sumT = param.detach().clone();
    sumT.data.fill(h.initialAccumulatorValue);
    state['sum'] = sumT;
  }
  const s = sumT.data;
  const clr = h.lr / (1 + (t - 1) * h.lrDecay);
  const sign = h.maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const gi = sign * g[go + i]! + h.weightDecay * p[po + i]!;
    s[i] = s[i]! + gi * gi;
    p[po + i] = p[po + i]! - (clr * gi) / (Math.sqrt(s[i]!) + h.eps);
  }
}

/** Adagrad: per-element rates that shrink with the accumulated squared gradients. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsArg<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...opts });
  }

  protected override checkHyper(g: AdagradOptions): void {
    super.checkHyper(g);
    if (!(g.lrDecay >= 0)) throw new RangeError(`Adagrad: invalid lrDecay ${g.lrDecay}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`Adagrad: invalid weightDecay ${g.weightDecay}`);
    if (!(g.initialAccumulatorValue >= 0)) throw new RangeError(`Adagrad: invalid initialAccumulatorValue ${g.initialAccumulatorValue}`);
    if (!(g.eps >= 0)) throw new RangeError(`Adagrad: invalid eps ${g.eps}`);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdagradOptions): void {
    adagradUpdate(param, grad, state, group);
  }
}
