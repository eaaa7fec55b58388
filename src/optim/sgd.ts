import { kernels } from '../backend/router.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, stateBuffer, type ParamState, type ParamsArg } from './optimizer.js';

/** Hyperparameters of SGD. */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * One SGD update of `param` in place (PyTorch's algorithm):
 *
 *   g ← ∇ + λ·θ                                  (weight decay λ)
 *   b ← g (first step),  b ← μ·b + (1 − τ)·g      (momentum μ, dampening τ)
 *   g ← g + μ·b (Nesterov)  or  g ← b
 *   θ ← θ − η·g
 *
 * The momentum buffer lives in `state.momentum_buffer`.
 */
export function sgdUpdate(param: Tensor, grad: Tensor, state: ParamState, h: SGDOptions): void {
  const p = param.data;
  const g = grad.data;
  const po = param.offset;
  const go = grad.offset;
  const n = param.numel();
  const { lr, momentum: mu, dampening, weightDecay: wd, nesterov } = h;
  const sign = h.maximize ? -1 : 1;
  const first = !('momentum_buffer' in state);
  const bufT = mu === 0 ? null : stateBuffer(state, 'momentum_buffer', param);
  // A backend with a fused kernel (native: threaded, SIMD) does the same arithmetic in one pass.
  const fused = kernels().sgdStep?.(param, grad, bufT, { lr, momentum: mu, dampening, weightDecay: wd, nesterov, maximize: h.maximize, firstStep: first });
  if (fused) return;
  if (bufT === null) {
    for (let i = 0; i < n; i++) p[po + i] = p[po + i]! - lr * (sign * g[go + i]! + wd * p[po + i]!);
    return;
  }
  const b = bufT.data;
  for (let i = 0; i < n; i++) {
    const d = sign * g[go + i]! + wd * p[po + i]!;
    const buf = first ? d : mu * b[i]! + (1 - dampening) * d;
    b[i] = buf;
    const step = nesterov ? d + mu * b[i]! : b[i]!;
    p[po + i] = p[po + i]! - lr * step;
  }
}

/** Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts });
  }

  protected override checkHyper(g: SGDOptions): void {
    super.checkHyper(g);
    if (!(g.momentum >= 0)) throw new RangeError(`SGD: invalid momentum ${g.momentum}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`SGD: invalid weightDecay ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new RangeError('SGD: Nesterov momentum requires a momentum > 0 and zero dampening');
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: SGDOptions): void {
    sgdUpdate(param, grad, state, group);
  }
}
