import type { Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { noGrad } from '../tensor/tape.js';
import '../ops/index.js';
import { LayerError } from './errors.js';
import type { HasParams } from './sgd.js';

// Optimizers for hand-derived layer models: they read net.params() and net.grads() (filled by
// backward) and update the parameters in place, with PyTorch's update rules, so the numbers match
// tg.optim's SGD/RMSprop/Adam step for step (tests/layers/optimizers.test.ts checks that).

function checkNonNeg(op: string, name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) throw new LayerError(`${op}: ${name} must be a non-negative finite number, got ${v}`);
}

function checkUnit(op: string, name: string, v: number): void {
  if (!(v >= 0 && v < 1)) throw new LayerError(`${op}: ${name} must be in [0, 1), got ${v}`);
}

/** Per-parameter state (moment buffers, by parameter name) and the step count: what a checkpoint needs. */
export interface LayerOptimizerState {
  step: number;
  buffers: Map<string, Tensor>;
}

/** What the layer optimizers share: one parameter group with its learning rate, zeroGrad, state. */
export abstract class LayerOptimizer {
  /** One group, like tg.optim's: schedules and the Trainer change `paramGroups[0].lr`. */
  readonly paramGroups: { lr: number }[];
  protected stepCount = 0;
  protected readonly buffers = new Map<string, Tensor>();

  constructor(
    readonly model: HasParams,
    lr: number,
  ) {
    checkNonNeg(this.constructor.name, 'lr', lr);
    this.paramGroups = [{ lr }];
  }

  /** The current learning rate. */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }

  /** Updates every parameter from its gradient in net.grads(). */
  step(): void {
    const grads = this.model.grads();
    this.stepCount++;
    noGrad(() => {
      for (const [name, p] of this.model.params()) {
        const g = grads.get(name);
        if (!g) throw new LayerError(`${this.constructor.name}.step: parameter ${name} has no gradient`);
        this.update(name, p, g);
      }
    });
  }

  /** Zeros every gradient (backward overwrites them anyway; this is for parity with tg.optim). */
  zeroGrad(): void {
    for (const g of this.model.grads().values()) g.zero_();
  }

  /** The step count and moment buffers (copies), keyed by parameter name. */
  stateDict(): LayerOptimizerState {
    return { step: this.stepCount, buffers: new Map([...this.buffers].map(([k, v]) => [k, v.clone()])) };
  }

  /** Restores what stateDict returned. */
  loadStateDict(state: LayerOptimizerState): void {
    this.stepCount = state.step;
    this.buffers.clear();
    for (const [k, v] of state.buffers) this.buffers.set(k, v.clone());
  }

  /** A moment buffer of the parameter, created as zeros on first use. */
  protected buffer(key: string, like: Tensor): Tensor {
    let b = this.buffers.get(key);
    if (!b) this.buffers.set(key, (b = zerosLike(like)));
    return b;
  }

  /** One parameter's update in place, under noGrad. */
  protected abstract update(name: string, p: Tensor, g: Tensor): void;

  /** g + λ·p (a new tensor) when weight decay is on, else g itself. */
  protected decayed(g: Tensor, p: Tensor, weightDecay: number): Tensor {
    return weightDecay !== 0 ? g.add(p.mul(weightDecay)) : g;
  }
}

/** Options of the layers' SGD with momentum. */
export interface MomentumSGDOptions {
  lr: number;
  /** μ: the velocity keeps μ of itself each step (0: plain SGD). */
  momentum?: number;
  /** Fraction of the gradient left out of the velocity (PyTorch's dampening, default 0). */
  dampening?: number;
  /** Nesterov momentum: step along g + μ·v instead of v. */
  nesterov?: boolean;
  weightDecay?: number;
}

/**
 * SGD with momentum over a layer model (PyTorch's rule): g ← g + λp; v ← μv + (1 - dampening)g
 * (v = g on the first step); p ← p - lr·(nesterov ? g + μv : v).
 */
export class MomentumSGD extends LayerOptimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(model: HasParams, opts: MomentumSGDOptions) {
    super(model, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    checkNonNeg('MomentumSGD', 'momentum', this.momentum);
    checkNonNeg('MomentumSGD', 'dampening', this.dampening);
    checkNonNeg('MomentumSGD', 'weightDecay', this.weightDecay);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new LayerError('MomentumSGD: Nesterov momentum needs momentum > 0 and dampening 0');
  }

  protected update(name: string, p: Tensor, grad: Tensor): void {
    let g = this.decayed(grad, p, this.weightDecay);
    if (this.momentum !== 0) {
      const fresh = !this.buffers.has(name);
      const v = this.buffer(name, p);
      if (fresh) v.copy_(g);
      else v.mul_(this.momentum).add_(g, 1 - this.dampening);
      g = this.nesterov ? g.add(v.mul(this.momentum)) : v;
    }
    p.sub_(g, this.lr);
  }
}

/** Options of the layers' RMSProp. */
export interface RMSPropOptions {
  /** Default 0.01, like PyTorch. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  eps?: number;
  momentum?: number;
  /** Divide by the variance estimate (the average of g² minus the square of the average of g). */
  centered?: boolean;
  weightDecay?: number;
}

/**
 * RMSProp over a layer model (PyTorch's rule): s ← αs + (1 - α)g²; step g / (√s + ε)
 * (√(s - ḡ²) when centered), through a momentum buffer when momentum > 0.
 */
export class RMSProp extends LayerOptimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly centered: boolean;
  readonly weightDecay: number;

  constructor(model: HasParams, opts: RMSPropOptions = {}) {
    super(model, opts.lr ?? 0.01);
    this.alpha = opts.alpha ?? 0.99;
    this.eps = opts.eps ?? 1e-8;
    this.momentum = opts.momentum ?? 0;
    this.centered = opts.centered ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    checkUnit('RMSProp', 'alpha', this.alpha);
    checkNonNeg('RMSProp', 'eps', this.eps);
    checkNonNeg('RMSProp', 'momentum', this.momentum);
    checkNonNeg('RMSProp', 'weightDecay', this.weightDecay);
  }

  protected update(name: string, p: Tensor, grad: Tensor): void {
    const g = this.decayed(grad, p, this.weightDecay);
    const s = this.buffer(`${name}.squareAvg`, p);
    s.mul_(this.alpha).addcmul_(g, g, 1 - this.alpha);
    let avg: Tensor;
    if (this.centered) {
      const m = this.buffer(`${name}.gradAvg`, p);
      m.mul_(this.alpha).add_(g, 1 - this.alpha);
      avg = s.sub(m.square()).sqrt().add(this.eps);
    } else {
      avg = s.sqrt().add(this.eps);
    }
    if (this.momentum > 0) {
      const b = this.buffer(`${name}.momentum`, p);
      b.mul_(this.momentum).addcdiv_(g, avg, 1);
      p.sub_(b, this.lr);
    } else {
      p.addcdiv_(g, avg, -this.lr);
    }
  }
}

/** Options of the layers' Adam. */
export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  /** L2 penalty added to the gradient (Adam's, not AdamW's decoupled decay). */
  weightDecay?: number;
}

/**
 * Adam over a layer model (Kingma & Ba, PyTorch's form): m ← β₁m + (1 - β₁)g; v ← β₂v + (1 - β₂)g²;
 * p ← p - lr·m̂ / (√v̂ + ε) with the bias corrections m̂ = m / (1 - β₁ᵗ), v̂ = v / (1 - β₂ᵗ).
 */
export class Adam extends LayerOptimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;

  constructor(model: HasParams, opts: AdamOptions = {}) {
    super(model, opts.lr ?? 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    checkUnit('Adam', 'betas[0]', this.betas[0]);
    checkUnit('Adam', 'betas[1]', this.betas[1]);
    checkNonNeg('Adam', 'eps', this.eps);
    checkNonNeg('Adam', 'weightDecay', this.weightDecay);
  }

  protected update(name: string, p: Tensor, grad: Tensor): void {
    const [b1, b2] = this.betas;
    const g = this.decayed(grad, p, this.weightDecay);
    const m = this.buffer(`${name}.expAvg`, p);
    const v = this.buffer(`${name}.expAvgSq`, p);
    m.mul_(b1).add_(g, 1 - b1);
    v.mul_(b2).addcmul_(g, g, 1 - b2);
    const t = this.stepCount;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    // PyTorch: denom = √v / √c2 + ε; p -= (lr / c1)·m / denom.
    const denom = v.sqrt().div(Math.sqrt(c2)).add(this.eps);
    p.addcdiv_(m, denom, -this.lr / c1);
  }
}
