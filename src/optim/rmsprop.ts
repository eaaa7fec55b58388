import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, stateBuffer, type ParamState, type ParamsArg } from './optimizer.js';

/** Hyperparameters of RMSprop. */
export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/**
 * One RMSprop update of `param` in place (PyTorch's algorithm):
 *
 *   g ← ∇ + λ·θ
 *   v ← α·v + (1 − α)·g²                     (state.square_avg)
 *   centered: m ← α·m + (1 − α)·g,  d = √(v − m²) + ε   (state.grad_avg)
 *   else:     d = √v + ε
 *   momentum μ > 0: b ← μ·b + g/d,  θ ← θ − η·b        (state.momentum_buffer)
 *   else:     θ ← θ − η·g/d
 */
export function rmspropUpdate(param: Tensor, grad: Tensor, state: ParamState, h: RMSpropOptions): void {
  const p = param.data;
  const g = grad.data;
  const po = param.offset;
  const go = grad.offset;
  const n = param.numel();
  const { lr, alpha, eps, weightDecay: wd, momentum: mu, centered } = h;
  const sign = h.maximize ? -1 : 1;
  state['step'] = ((state['step'] as number | undefined) ?? 0) + 1;
  const v = stateBuffer(state, 'square_avg', param).data;
  const m = centered ? stateBuffer(state, 'grad_avg', param).data : null;
  const b = mu > 0 ? stateBuffer(state, 'momentum_buffer', param).data : null;
  for (let i = 0; i < n; i++) {
    const gi = sign * g[go + i]! + wd * p[po + i]!;
    v[i] = alpha * v[i]! + (1 - alpha) * gi * gi;
    let avg: number;
    if (m) {
      m[i] = alpha * m[i]! + (1 - alpha) * gi;
      avg = Math.sqrt(v[i]! - m[i]! * m[i]!) + eps;
    } else avg = Math.sqrt(v[i]!) + eps;
    if (b) {
      b[i] = mu * b[i]! + gi / avg;
      p[po + i] = p[po + i]! - lr * b[i]!;
    } else p[po + i] = p[po + i]! - (lr * gi) / avg;
  }
}

/** RMSprop: divides the gradient by a running root-mean-square of its recent magnitudes. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsArg<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...opts });
  }

  protected override checkHyper(g: RMSpropOptions): void {
    super.checkHyper(g);
    if (!(g.alpha >= 0)) throw new RangeError(`RMSprop: invalid alpha ${g.alpha}`);
    if (!(g.eps >= 0)) throw new RangeError(`RMSprop: invalid eps ${g.eps}`);
    if (!(g.momentum >= 0)) throw new RangeError(`RMSprop: invalid momentum ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`RMSprop: invalid weightDecay ${g.weightDecay}`);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: RMSpropOptions): void {
    rmspropUpdate(param, grad, state, group);
  }
}
