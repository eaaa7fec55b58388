import { kernels } from '../backend/router.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, stateBuffer, type ParamState, type ParamsArg } from './optimizer.js';

/** Hyperparameters of Adam and AdamW. */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/**
 * One Adam (decoupled = false) or AdamW (decoupled = true) update of `param`
 * in place (PyTorch's algorithm), t counting steps from 1:
 *
 *   AdamW: θ ← θ·(1 − η·λ)        Adam: g ← ∇ + λ·θ
 *   m ← β₁·m + (1 − β₁)·g                 (state.exp_avg)
 *   v ← β₂·v + (1 − β₂)·g²                (state.exp_avg_sq)
 *   amsgrad: v̂ ← max(v̂, v)                (state.max_exp_avg_sq), else v̂ = v
 *   θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
 */
export function adamUpdate(param: Tensor, grad: Tensor, state: ParamState, h: AdamOptions, decoupled = false): void {
  const p = param.data;
  const g = grad.data;
  const po = param.offset;
  const go = grad.offset;
  const n = param.numel();
  const { lr, eps, weightDecay: wd, amsgrad } = h;
  const [b1, b2] = h.betas;
  const sign = h.maximize ? -1 : 1;
  const t = ((state['step'] as number | undefined) ?? 0) + 1;
  state['step'] = t;
  const mT = stateBuffer(state, 'exp_avg', param);
  const vT = stateBuffer(state, 'exp_avg_sq', param);
  const vmaxT = amsgrad ? stateBuffer(state, 'max_exp_avg_sq', param) : null;
  const stepSize = lr / (1 - b1 ** t);
  const bc2Sqrt = Math.sqrt(1 - b2 ** t);
  // A backend with a fused kernel (native: threaded, SIMD) does the same arithmetic in one pass.
  const fused = kernels().adamStep?.(param, grad, mT, vT, vmaxT, {
    lr, beta1: b1, beta2: b2, eps, weightDecay: wd, decoupled, maximize: h.maximize, stepSize, bc2Sqrt,
  });
  if (fused) return;
  const m = mT.data;
  const v = vT.data;
  const vmax = vmaxT ? vmaxT.data : null;
  const decay = decoupled ? 1 - lr * wd : 1;
  const l2 = decoupled ? 0 : wd;
  for (let i = 0; i < n; i++) {
    const pi = p[po + i]! * decay;
    const gi = sign * g[go + i]! + l2 * pi;
    m[i] = b1 * m[i]! + (1 - b1) * gi;
    v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
    let vh = v[i]!;
    if (vmax) {
      if (vh > vmax[i]!) vmax[i] = vh;
      vh = vmax[i]!;
    }
    p[po + i] = pi - (stepSize * m[i]!) / (Math.sqrt(vh) / bc2Sqrt + eps);
  }
}

function checkAdam(name: string, g: AdamOptions): void {
  if (!(g.eps >= 0)) throw new RangeError(`${name}: invalid eps ${g.eps}`);
  if (!Array.isArray(g.betas) || g.betas.length !== 2 || !g.betas.every((b) => b >= 0 && b < 1)) {
    throw new RangeError(`${name}: betas must be two numbers in [0, 1), got ${JSON.stringify(g.betas)}`);
  }
  if (!(g.weightDecay >= 0)) throw new RangeError(`${name}: invalid weightDecay ${g.weightDecay}`);
}

/** Adam with L2 weight decay added to the gradient (and optional AMSGrad). */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, ...opts });
  }

  protected override checkHyper(g: AdamOptions): void {
    super.checkHyper(g);
    checkAdam('Adam', g);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdamOptions): void {
    adamUpdate(param, grad, state, group, false);
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); weightDecay defaults to 0.01 like PyTorch. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...opts });
  }

  protected override checkHyper(g: AdamOptions): void {
    super.checkHyper(g);
    checkAdam('AdamW', g);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, group: AdamOptions): void {
    adamUpdate(param, grad, state, group, true);
  }
}
