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
