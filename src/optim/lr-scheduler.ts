import { TsgradError } from '../core/errors.js';
import type { Optimizer } from './optimizer.js';

/** A scheduler's state dict (plain JSON). */
export interface SchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
}

/**
 * Base of the learning-rate schedulers: call step() once per epoch (after
 * the optimizer's steps); the learning rate of epoch e is computed in closed
 * form from each group's initial lr. Construction sets epoch 0's rate.
 */
export abstract class LRScheduler {
  lastEpoch: number;
  readonly baseLrs: number[];
  protected lastLr: number[] = [];

  constructor(
    readonly optimizer: Optimizer,
    lastEpoch = -1,
  ) {
    const groups = optimizer.paramGroups as unknown as Record<string, unknown>[];
    for (const g of groups) if (g['initialLr'] === undefined) g['initialLr'] = g['lr'];
    this.baseLrs = groups.map((g) => g['initialLr'] as number);
    this.lastEpoch = lastEpoch;
  }

  /** Call at the end of the subclass constructor: applies the rate of the current epoch. */
  protected init(): void {
    this.step();
  }

  /** The learning rate of each group at epoch `epoch`. */
  protected abstract lrAt(epoch: number, baseLr: number): number;

  /** Advances one epoch and writes the new learning rates into the optimizer's groups. */
  step(): void {
    this.lastEpoch += 1;
    this.lastLr = this.baseLrs.map((b) => this.lrAt(this.lastEpoch, b));
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lastLr[i]!));
  }

  /** The learning rates step() set last, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Epoch counter and rates (plain JSON). */
  stateDict(): SchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores stateDict() and re-applies the learning rates to the optimizer. */
  loadStateDict(sd: SchedulerStateDict): void {
    if (typeof sd?.lastEpoch !== 'number' || !Array.isArray(sd.baseLrs) || sd.baseLrs.length !== this.baseLrs.length) {
      throw new TsgradError(`${this.constructor.name}.loadStateDict: expected {lastEpoch, baseLrs[${this.baseLrs.length}], lastLr}`);
    }
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...sd.baseLrs);
    this.lastLr = this.baseLrs.map((b) => this.lrAt(this.lastEpoch, b));
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.lastLr[i]!));
  }
}

/** Multiplies the rate by gamma every stepSize epochs: η·γ^⌊e / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, opts: { stepSize: number; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    if (!Number.isInteger(opts.stepSize) || opts.stepSize < 1) throw new RangeError(`StepLR: stepSize must be a positive integer, got ${opts.stepSize}`);
    this.stepSize = opts.stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.init();
  }

  protected lrAt(e: number, base: number): number {
    return base * this.gamma ** Math.floor(e / this.stepSize);
  }
}

/** Multiplies the rate by gamma at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: Optimizer, opts: { milestones: number[]; gamma?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.milestones = [...opts.milestones].sort((a, b) => a - b);
    this.gamma = opts.gamma ?? 0.1;
    this.init();
  }

  protected lrAt(e: number, base: number): number {
    return base * this.gamma ** this.milestones.filter((m) => m <= e).length;
  }
}

/** Multiplies the rate by gamma every epoch: η·γ^e. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, opts: { gamma: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    this.gamma = opts.gamma;
    this.init();
  }

  protected lrAt(e: number, base: number): number {
    return base * this.gamma ** e;
  }
}

/**
 * Cosine annealing from the initial rate η to etaMin over tMax epochs:
 * etaMin + (η − etaMin)·(1 + cos(π·e / tMax)) / 2 (and back up after tMax, as in PyTorch).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, opts: { tMax: number; etaMin?: number; lastEpoch?: number }) {
    super(optimizer, opts.lastEpoch);
    if (!(opts.tMax > 0)) throw new RangeError(`CosineAnnealingLR: tMax must be positive, got ${opts.tMax}`);
    this.tMax = opts.tMax;
    this.etaMin = opts.etaMin ?? 0;
    this.init();
  }

  protected lrAt(e: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}

/** Linear warm-up (or decay) of the rate's factor from startFactor to endFactor over totalIters epochs. */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch);
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1;
    this.totalIters = opts.totalIters ?? 5;
    if (!(this.startFactor > 0 && this.startFactor <= 1)) throw new RangeError(`LinearLR: startFactor must be in (0, 1], got ${this.startFactor}`);
    this.init();
  }

  protected lrAt(e: number, base: number): number {
    const t = Math.min(e, this.totalIters) / this.totalIters;
    return base * (this.startFactor + (this.endFactor - this.startFactor) * t);
  }
}

/** Options of OneCycleLR (PyTorch's defaults). */
export interface OneCycleLROptions {
  maxLr: number | number[];
  totalSteps: number;
  /** Fraction of the steps spent raising the rate (default 0.3). */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** Also cycle SGD's momentum or Adam's β₁ inversely to the rate (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  /** Initial rate = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final rate = initial rate / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial rate, then down to the final one) instead of two. */
  threePhase?: boolean;
}

/**
 * The 1cycle policy (Smith & Topin), stepped once per batch: the rate rises
 * from maxLr/divFactor to maxLr over pctStart of totalSteps and then anneals
 * to the initial rate / finalDivFactor, with momentum cycled the other way
 * (PyTorch's OneCycleLR, same phases and annealing).
 */
export class OneCycleLR extends LRScheduler {
  private readonly phases: { end: number; lr: [string, string]; mom: [string, string] }[];
  private readonly cycleMomentum: boolean;
  private readonly anneal: (start: number, end: number, pct: number) => number;
  readonly totalSteps: number;

  constructor(optimizer: Optimizer, opts: OneCycleLROptions) {
    const groups = optimizer.paramGroups as unknown as Record<string, unknown>[];
    const n = groups.length;
    const maxLrs = Array.isArray(opts.maxLr) ? opts.maxLr : new Array<number>(n).fill(opts.maxLr);
    if (maxLrs.length !== n) throw new TsgradError(`OneCycleLR: expected ${n} maxLr values, one per group, got ${maxLrs.length}`);
    const div = opts.divFactor ?? 25;
    const finalDiv = opts.finalDivFactor ?? 1e4;
    groups.forEach((g, i) => {
      g['initialLr'] = maxLrs[i]! / div;
      g['maxLr'] = maxLrs[i]!;
      g['minLr'] = (g['initialLr'] as number) / finalDiv;
    });
    super(optimizer, -1);
    if (!Number.isInteger(opts.totalSteps) || opts.totalSteps < 1) throw new RangeError(`OneCycleLR: totalSteps must be a positive integer, got ${opts.totalSteps}`);
    const pct = opts.pctStart ?? 0.3;
    if (!(pct >= 0 && pct <= 1)) throw new RangeError(`OneCycleLR: pctStart must be in [0, 1], got ${pct}`);
    this.totalSteps = opts.totalSteps;
    const T = opts.totalSteps;
    this.phases = opts.threePhase
      ? [
          { end: pct * T - 1, lr: ['initialLr', 'maxLr'], mom: ['maxMomentum', 'baseMomentum'] },
          { end: 2 * pct * T - 2, lr: ['maxLr', 'initialLr'], mom: ['baseMomentum', 'maxMomentum'] },
          { end: T - 1, lr: ['initialLr', 'minLr'], mom: ['maxMomentum', 'maxMomentum'] },
        ]
      : [
          { end: pct * T - 1, lr: ['initialLr', 'maxLr'], mom: ['maxMomentum', 'baseMomentum'] },
          { end: T - 1, lr: ['maxLr', 'minLr'], mom: ['baseMomentum', 'maxMomentum'] },
        ];
    this.anneal = (opts.annealStrategy ?? 'cos') === 'cos'
      ? (s, e, p) => e + ((s - e) / 2) * (Math.cos(Math.PI * p) + 1)
      : (s, e, p) => (e - s) * p + s;
    this.cycleMomentum = opts.cycleMomentum ?? true;
    if (this.cycleMomentum) {
      groups.forEach((g) => {
        if (!('momentum' in g) && !('betas' in g)) throw new TsgradError('OneCycleLR: cycleMomentum needs an optimizer with momentum or betas; pass cycleMomentum: false');
        g['baseMomentum'] = opts.baseMomentum ?? 0.85;
        g['maxMomentum'] = opts.maxMomentum ?? 0.95;
      });
    }
    this.init();
  }

  protected lrAt(): number {
    return NaN; // unused: step() computes rate and momentum per group from the group's own bounds
  }

  override step(): void {
    this.lastEpoch += 1;
    const t = this.lastEpoch;
    if (t > this.totalSteps) throw new TsgradError(`OneCycleLR: stepped ${t} times, but totalSteps is ${this.totalSteps}`);
    const groups = this.optimizer.paramGroups as unknown as Record<string, unknown>[];
    this.lastLr = groups.map((g) => {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i]!;
        if (t <= ph.end || i === this.phases.length - 1) {
          const pct = (t - start) / (ph.end - start);
          const lr = this.anneal(g[ph.lr[0]] as number, g[ph.lr[1]] as number, pct);
          g['lr'] = lr;
          if (this.cycleMomentum) {
            const m = this.anneal(g[ph.mom[0]] as number, g[ph.mom[1]] as number, pct);
            if (Array.isArray(g['betas'])) g['betas'] = [m, (g['betas'] as number[])[1]!];
            else g['momentum'] = m;
          }
          return lr;
        }
        start = ph.end;
      }
      return NaN;
    });
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    this.lastEpoch = sd.lastEpoch - 1;
    this.step();
  }
}
