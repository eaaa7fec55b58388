import { TsgradError } from '../core/errors.js';
import type { Optimizer } from './optimizer.js';

/** Options of ReduceLROnPlateau (PyTorch's defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). */
  mode?: 'min' | 'max';
  factor?: number;
  /** Epochs without improvement tolerated before the rate is cut. */
  patience?: number;
  threshold?: number;
  /** 'rel': improvement means beating best·(1 ∓ threshold); 'abs': best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a cut before counting bad epochs again. */
  cooldown?: number;
  /** Lower bound of the rate, one for all groups or one per group. */
  minLr?: number | number[];
  /** Cuts smaller than this are skipped. */
  eps?: number;
}

/** The JSON state of ReduceLROnPlateau. */
export interface PlateauStateDict {
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

/**
 * Multiplies the learning rate by `factor` once the metric passed to
 * step(metric) has not improved for more than `patience` epochs (PyTorch's
 * ReduceLROnPlateau, same rules for threshold, cooldown and minLr).
 */
export class ReduceLROnPlateau {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    readonly optimizer: Optimizer,
    opts: ReduceLROnPlateauOptions = {},
  ) {
    this.mode = opts.mode ?? 'min';
    this.factor = opts.factor ?? 0.1;
    if (!(this.factor < 1 && this.factor >= 0)) throw new RangeError(`ReduceLROnPlateau: factor must be in [0, 1), got ${this.factor}`);
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) throw new TsgradError(`ReduceLROnPlateau: expected ${n} minLr values, one per group, got ${minLr.length}`);
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array<number>(n).fill(minLr);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold: t } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (1 + t) : a > best + t;
  }

  /** Records the epoch's metric and cuts the rate when it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new TsgradError(`ReduceLROnPlateau.step: expected a numeric metric, got ${metric}`);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates after the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Counters and best value (plain JSON; an infinite best is stored as null by JSON.stringify and restored). */
  stateDict(): PlateauStateDict {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: [...this.lastLr] };
  }

  /** Restores stateDict(). */
  loadStateDict(sd: PlateauStateDict): void {
    this.best = sd.best ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter;
    this.lastEpoch = sd.lastEpoch;
    this.lastLr = [...sd.lastLr];
  }
}
