import { backward } from '../autograd/engine.js';
import { TsgradError } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { Module } from '../nn/module.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { add, eq } from '../ops/elementwise.js';
import { argmax } from '../ops/reduce.js';
import { sum } from '../ops/broadcast.js';
import { to } from '../ops/cast.js';
import { CheckpointError, listCheckpoints, loadCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import { isLayerModel, LayerModule, type LayerModel } from './layer-model.js';
import { silentProgress, type ProgressReporter } from './progress.js';

/** A loss: a module such as CrossEntropyLoss, or a function of (output, target) giving a scalar. */
export type LossFn = Module | ((output: Tensor, target: Tensor) => Tensor);

/** What the Trainer needs of an optimizer (tsgrad.optim's Optimizer fits). */
export interface TrainerOptimizer {
  step(): void;
  zeroGrad(): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
  paramGroups: { lr: number }[];
}

/** What the Trainer needs of a learning-rate schedule (StepLR fits); stepped once per epoch. */
export interface TrainerScheduler {
  step(): void;
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

/** A batch source: an iterable of [input, target] pairs, re-iterable once per epoch (a DataLoader). */
export type BatchSource = Iterable<readonly [Tensor, Tensor]> & { length?: number; generator?: Generator };

/** Loss and accuracy counts of one batch. */
export interface BatchResult {
  /** Mean loss over the batch. */
  loss: number;
  numCorrect: number;
  numSamples: number;
}

/** Mean loss and accuracy over a pass (or part of one). */
export interface EpochResult {
  loss: number;
  accuracy: number;
  numSamples: number;
  numBatches: number;
}

/** The per-evaluation history of a fit; arrays are indexed by evaluation point. */
export interface FitResult {
  /** Epochs run (fractional when stopped mid-epoch by maxSteps). */
  numEpochs: number;
  /** Optimizer steps taken. */
  numSteps: number;
  /** Where each evaluation point lies: epochs (fractional with evalFreq) and steps. */
  epoch: number[];
  step: number[];
  /** Mean training loss and accuracy over the steps since the previous evaluation point. */
  trainLoss: number[];
  trainAcc: number[];
  /** Test loss and accuracy at each point (NaN without a test loader). */
  testLoss: number[];
  testAcc: number[];
  /** Validation loss and accuracy at each point (present when fit was given a validation loader). */
  valLoss?: number[];
  valAcc?: number[];
  /** The epoch (as in `epoch`) of the best point by the monitored metric, and that point's index. */
  bestEpoch: number;
  bestIndex: number;
  /** Why fitting stopped. */
  stopReason: 'epochs' | 'maxSteps' | 'earlyStopping';
  /** Seconds spent in fit, summed over resumed sessions. */
  wallTimeS: number;
}

/** Options of Trainer.fit. */
export interface FitOptions {
  /** Epochs to train (default 1 unless maxSteps is given). */
  epochs?: number;
  /** Stop after this many optimizer steps (wins over epochs). */
  maxSteps?: number;
  /** Evaluate every this many steps; default: at the end of every epoch. */
  evalFreq?: number;
  /** Stop when the monitored metric has not improved for this many evaluations. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** What 'best' means (default 'valLoss' with a validation loader, else 'testLoss', or 'trainLoss' without a test loader). */
  monitor?: 'valLoss' | 'valAcc' | 'testLoss' | 'testAcc' | 'trainLoss';
  /** Held-out training samples evaluated at every point: what early stopping and 'best' watch by default, so the test set never chooses. */
  valLoader?: BatchSource;
  /** Write a resumable checkpoint ('last') every this many epochs (default 1 when checkpointDir is set). */
  checkpointEvery?: number;
  /** Folder of the checkpoints: last.* (resumable) and best.* (weights of the best point). */
  checkpointDir?: string;
  /** Called after each evaluation point with the history so far. */
  onEpoch?: (result: Readonly<FitResult>) => void;
  /** Progress display (default: none). */
  progress?: ProgressReporter;
}

/** Options of the Trainer. */
export interface TrainerOptions {
  /** An nn.Module, or a hand-derived layer model (tsgrad/layers), which is wrapped in a LayerModule. */
  model: Module | LayerModel;
  lossFn: LossFn;
  optimizer: TrainerOptimizer;
  /** Stepped at the end of every epoch. */
  scheduler?: TrainerScheduler;
  /** Extra generators whose state a checkpoint must hold (augmentations); the default generator and the train loader's are always saved. */
  generators?: Record<string, Generator>;
}

/** A training run that went wrong in a way the user must act on (a NaN loss). */
export class TrainingError extends TsgradError {
  override name = 'TrainingError';
}

/** Mutable run state, saved in checkpoints. */
interface RunState {
  epoch: number;
  step: number;
  lastFiniteLoss: number | null;
  lastFiniteStep: number;
  bestValue: number | null;
  sinceBest: number;
  result: FitResult;
}

function emptyResult(): FitResult {
  return { numEpochs: 0, numSteps: 0, epoch: [], step: [], trainLoss: [], trainAcc: [], testLoss: [], testAcc: [], bestEpoch: 0, bestIndex: -1, stopReason: 'epochs', wallTimeS: 0 };
}

/** Counts correct argmax predictions of `[N, C]` logits against int labels `[N]`. */
export function countCorrect(output: Tensor, target: Tensor): number {
  if (output.ndim !== 2 || target.ndim !== 1 || output.shape[0] !== target.shape[0]) return 0;
  const [n, c] = output.shape as [number, number];
  const o = output.toTypedArray() as ArrayLike<number>;
  const t = target.toTypedArray() as ArrayLike<number>;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = o[i * c]!;
    for (let j = 1; j < c; j++) if (o[i * c + j]! > bv) bv = o[i * c + (best = j)]!;
    if (best === Number(t[i])) correct++;
  }
  return correct;
}

/**
 * The training loop PyTorch leaves to its users: batches, epochs, evaluation, early stopping,
 * resumable checkpoints and progress. Deterministic given the seeds: a run resumed from a
 * checkpoint ends with the same weights and history as one that was never interrupted.
 */
export class Trainer {
  readonly model: Module;
  readonly optimizer: TrainerOptimizer;
  readonly scheduler: TrainerScheduler | null;
  private readonly lossFn: LossFn;
  private readonly generators: Record<string, Generator>;
  private state: RunState = { epoch: 0, step: 0, lastFiniteLoss: null, lastFiniteStep: 0, bestValue: null, sinceBest: 0, result: emptyResult() };

  constructor(opts: TrainerOptions) {
    if (!(opts.model instanceof Module) && !isLayerModel(opts.model)) {
      throw new TypeError('Trainer: model must be an nn.Module or a layer model (forward, backward, params, grads)');
    }
    if (typeof opts.optimizer?.step !== 'function') throw new TypeError('Trainer: optimizer must have step() and zeroGrad()');
    this.model = opts.model instanceof Module ? opts.model : new LayerModule(opts.model);
    this.lossFn = opts.lossFn;
    this.optimizer = opts.optimizer;
    this.scheduler = opts.scheduler ?? null;
    this.generators = opts.generators ?? {};
  }

  /** Epochs completed so far (after a resume: where the run continues). */
  get epoch(): number {
    return this.state.epoch;
  }

  /** Optimizer steps taken so far. */
  get step(): number {
    return this.state.step;
  }

  private loss(output: Tensor, target: Tensor): Tensor {
    return this.lossFn instanceof Module ? this.lossFn.forward(output, target) : this.lossFn(output, target);
  }

  /** One optimizer step on a batch (training mode); throws a TrainingError on a non-finite loss. */
  trainBatch(x: Tensor, y: Tensor): BatchResult {
    this.model.train();
    this.optimizer.zeroGrad();
    // A layer optimizer clears the layers' gradients, not the wrapper's Parameter.grad.
    if (this.model instanceof LayerModule) this.model.zeroGrad();
    const out = this.model.forward(x);
    const loss = this.loss(out, y);
    const value = loss.item();
    if (!Number.isFinite(value)) {
      const s = this.state;
      const last = s.lastFiniteLoss === null ? 'no finite loss was seen before it' : `the last finite loss was ${s.lastFiniteLoss} at step ${s.lastFiniteStep}`;
      throw new TrainingError(
        `Trainer: the loss became ${value} at step ${s.step + 1} (epoch ${s.epoch + 1}); ${last}. The weights are those of step ${s.step}, before this batch. Lower the learning rate, or check the inputs for NaN/Inf`,
      );
    }
    backward(loss);
    this.optimizer.step();
    this.state.step++;
    this.state.lastFiniteLoss = value;
    this.state.lastFiniteStep = this.state.step;
    return { loss: value, numCorrect: countCorrect(out, y), numSamples: x.shape[0] ?? 1 };
  }

  /** Loss and correct count of a batch in evaluation mode, without recording gradients. */
  testBatch(x: Tensor, y: Tensor): BatchResult {
    this.model.eval();
    return noGrad(() => {
      const out = this.model.forward(x);
      const value = this.loss(out, y).item();
      return { loss: value, numCorrect: countCorrect(out, y), numSamples: x.shape[0] ?? 1 };
    });
  }

  /**
   * trainBatch for a model on a GPU: the loss and the correct count stay on the device (nothing is
   * read back), so steps queue up without waiting; fitAsync reads them at its evaluation points.
   */
  trainBatchDevice(x: Tensor, y: Tensor): DeviceBatch {
    this.model.train();
    this.optimizer.zeroGrad();
    const out = this.model.forward(x);
    const loss = this.loss(out, y);
    backward(loss);
    this.optimizer.step();
    this.state.step++;
    return { loss: loss.detach(), correct: deviceCorrect(out, y), numSamples: x.shape[0] ?? 1 };
  }

  /** A CPU batch tensor moved to the model's device (a loader without `device` gives CPU batches). */
  private onModelDevice(t: Tensor): Tensor {
    const d = this.model.device;
    return t.device === d || t.device !== 'cpu' ? t : t.to(d);
  }

  /** testBatch for a model on a GPU (values stay on the device). */
  testBatchDevice(x: Tensor, y: Tensor): DeviceBatch {
    this.model.eval();
    return noGrad(() => {
      const out = this.model.forward(x);
      return { loss: this.loss(out, y), correct: deviceCorrect(out, y), numSamples: x.shape[0] ?? 1 };
    });
  }

  /** One pass of training over `loader` (all its batches). */
  trainEpoch(loader: BatchSource, progress: ProgressReporter = silentProgress): EpochResult {
    const acc = new Accumulator();
    progress.start(`epoch ${this.state.epoch + 1} train`, loader.length ?? 0);
    for (const [x, y] of loader) {
      acc.add(this.trainBatch(x, y));
      progress.tick(acc.numBatches, { loss: acc.result().loss, acc: acc.result().accuracy });
    }
    progress.end();
    this.state.epoch++;
    this.scheduler?.step();
    return acc.result();
  }

  /** One pass of evaluation over `loader`. */
  testEpoch(loader: BatchSource, progress: ProgressReporter = silentProgress): EpochResult {
    const acc = new Accumulator();
    progress.start('  test', loader.length ?? 0);
    for (const [x, y] of loader) {
      acc.add(this.testBatch(x, y));
      progress.tick(acc.numBatches, { loss: acc.result().loss, acc: acc.result().accuracy });
    }
    progress.end();
    return acc.result();
  }

  /**
   * Trains until `epochs` epochs or `maxSteps` steps are done (counting those of a resumed run) or
   * early stopping fires; evaluates at every epoch end (or every evalFreq steps) and returns the history.
   */
  fit(trainLoader: BatchSource, testLoader: BatchSource | null, opts: FitOptions = {}): FitResult {
    if (this.model.device !== 'cpu') {
      throw new TsgradError(`Trainer.fit: the model is on '${this.model.device}', whose values are read asynchronously: use await trainer.fitAsync(...)`);
    }
    const run = this.fitCore(trainLoader, testLoader, opts, false);
    for (let r = run.next(); ; r = run.next()) {
      if (r.done) return r.value;
      r.value.resolveSync();
    }
  }

  /**
   * fit for a model on any device. On a GPU the steps run without reading anything back: losses
   * and correct counts accumulate on the device and are read (awaited) only at evaluation
   * points, where a non-finite loss is reported (it cannot be caught at the very step).
   */
  async fitAsync(trainLoader: BatchSource, testLoader: BatchSource | null, opts: FitOptions = {}): Promise<FitResult> {
    const run = this.fitCore(trainLoader, testLoader, opts, this.model.device !== 'cpu');
    for (let r = run.next(); ; r = run.next()) {
      if (r.done) return r.value;
      await r.value.resolve();
    }
  }

  /** A checkpoint write as a pending task: on a GPU its tensors are read back first (asynchronously). */
  private checkpointTask(dir: string, name: string, trainLoader: BatchSource, resumable = true): Pending {
    return {
      resolveSync: () => this.saveCheckpoint(dir, name, trainLoader, resumable),
      resolve: async () => {
        if (this.model.device === 'cpu') return this.saveCheckpoint(dir, name, trainLoader, resumable);
        // Copies of the weights and optimizer state on the CPU, so the model keeps training on the GPU.
        const weights = new Map<string, Tensor>();
        for (const [k, t] of this.model.stateDict()) weights.set(k, await t.cpuAsync());
        const optimizer = await cpuDeep(this.optimizer.stateDict());
        this.writeCheckpoint(dir, name, trainLoader, weights, optimizer, resumable);
      },
    };
  }

  /** The loop of fit/fitAsync: yields tasks (device reads, checkpoint writes) that must finish before it goes on. */
  private *fitCore(trainLoader: BatchSource, testLoader: BatchSource | null, opts: FitOptions, onDevice: boolean): Iterator<Pending, FitResult, undefined> {
    const maxSteps = opts.maxSteps;
    const epochs = opts.epochs ?? (maxSteps !== undefined ? Infinity : 1);
    checkPositiveInt('epochs', epochs, true);
    if (maxSteps !== undefined) checkPositiveInt('maxSteps', maxSteps);
    if (opts.evalFreq !== undefined) checkPositiveInt('evalFreq', opts.evalFreq);
    const checkpointEvery = opts.checkpointEvery ?? 1;
    checkPositiveInt('checkpointEvery', checkpointEvery);
    if (opts.earlyStopping) checkPositiveInt('earlyStopping.patience', opts.earlyStopping.patience);
    const valLoader = opts.valLoader;
    const monitor = opts.monitor ?? (valLoader ? 'valLoss' : testLoader ? 'testLoss' : 'trainLoss');
    if (monitor.startsWith('test') && !testLoader) throw new TypeError(`Trainer.fit: monitor '${monitor}' needs a test loader`);
    if (monitor.startsWith('val') && !valLoader) throw new TypeError(`Trainer.fit: monitor '${monitor}' needs opts.valLoader`);
    const progress = opts.progress ?? silentProgress;
    const stepsPerEpoch = trainLoader.length;
    if (stepsPerEpoch === 0) throw new TypeError('Trainer.fit: the train loader yields no batches (dataset smaller than one batch with dropLast?)');

    const s = this.state;
    const r = s.result;
    const t0 = performance.now();
    const wall0 = r.wallTimeS;
    let window = new Accumulator();
    let stop: FitResult['stopReason'] | null = null;

    const evaluate = function* (this: Trainer, epochPos: number): IterableIterator<Pending> {
      yield window;
      const tr = window.result();
      if (onDevice && !Number.isFinite(tr.loss)) {
        throw new TrainingError(`Trainer: the mean training loss of steps ${r.step.at(-1) ?? 0}..${s.step} is ${tr.loss} (read at this evaluation point: on a GPU the loss is not read every step). Lower the learning rate, or check the inputs for NaN/Inf`);
      }
      window = new Accumulator();
      // On a GPU the sums stay on the device and are read once here (one read per loader).
      const evalOn = function* (this: Trainer, loader: BatchSource, label: string): IterableIterator<Pending, EpochResult, undefined> {
        if (!onDevice) return this.testEpoch(loader, progress);
        const acc = new Accumulator();
        progress.start(label, loader.length ?? 0);
        for (const [x, y] of loader) {
          acc.addDevice(this.testBatchDevice(this.onModelDevice(x), this.onModelDevice(y)));
          progress.tick(acc.numBatches, {});
        }
        progress.end();
        yield acc;
        return acc.result();
      }.bind(this);
      const va: EpochResult | null = valLoader ? yield* evalOn(valLoader, '  val') : null;
      const te: EpochResult | null = testLoader ? yield* evalOn(testLoader, '  test') : null;
      if (va) {
        (r.valLoss ??= []).push(va.loss);
        (r.valAcc ??= []).push(va.accuracy);
      }
      r.epoch.push(round6(epochPos));
      r.step.push(s.step);
      r.trainLoss.push(tr.loss);
      r.trainAcc.push(tr.accuracy);
      r.testLoss.push(te ? te.loss : NaN);
      r.testAcc.push(te ? te.accuracy : NaN);
      const value = { valLoss: va?.loss ?? NaN, valAcc: -(va?.accuracy ?? NaN), testLoss: r.testLoss.at(-1)!, testAcc: -r.testAcc.at(-1)!, trainLoss: tr.loss }[monitor];
      const minDelta = opts.earlyStopping?.minDelta ?? 0;
      const improved = s.bestValue === null || value < s.bestValue - minDelta;
      if (improved) {
        s.bestValue = value;
        s.sinceBest = 0;
        r.bestIndex = r.epoch.length - 1;
        r.bestEpoch = r.epoch.at(-1)!;
      } else s.sinceBest++;
      r.numEpochs = round6(epochPos);
      r.numSteps = s.step;
      r.wallTimeS = wall0 + (performance.now() - t0) / 1000;
      progress.log(
        `epoch ${fmtEpoch(epochPos)} step ${s.step}: train loss ${tr.loss.toFixed(4)} acc ${pct(tr.accuracy)}` +
          (va ? ` | val loss ${va.loss.toFixed(4)} acc ${pct(va.accuracy)}` : '') +
          (te ? ` | test loss ${te.loss.toFixed(4)} acc ${pct(te.accuracy)}` : '') +
          ` | ${r.wallTimeS.toFixed(1)} s`,
      );
      // best.* is resumable only when taken at an epoch end (after the epoch's schedule step).
      if (improved && opts.checkpointDir) yield this.checkpointTask(opts.checkpointDir, 'best', trainLoader, epochPos === s.epoch);
      opts.onEpoch?.(r);
      if (opts.earlyStopping && s.sinceBest >= opts.earlyStopping.patience) stop = 'earlyStopping';
    }.bind(this);

    while (stop === null && s.epoch < epochs && (maxSteps === undefined || s.step < maxSteps)) {
      progress.start(`epoch ${s.epoch + 1}${Number.isFinite(epochs) ? `/${epochs}` : ''}`, stepsPerEpoch ?? 0);
      let batchInEpoch = 0;
      let evaluatedAtEnd = false;
      for (const [x, y] of trainLoader) {
        batchInEpoch++;
        if (onDevice) {
          window.addDevice(this.trainBatchDevice(this.onModelDevice(x), this.onModelDevice(y)));
          progress.tick(batchInEpoch, {});
        } else {
          window.add(this.trainBatch(x, y));
          // Both numbers are running means since the last evaluation (not the last batch's loss beside a mean accuracy).
          const run = window.result();
          progress.tick(batchInEpoch, { loss: run.loss, acc: run.accuracy });
        }
        const atMax = maxSteps !== undefined && s.step >= maxSteps;
        const isLast = stepsPerEpoch !== undefined && batchInEpoch === stepsPerEpoch;
        if ((opts.evalFreq !== undefined && s.step % opts.evalFreq === 0) || (atMax && window.numBatches > 0)) {
          progress.end();
          yield* evaluate(s.epoch + (isLast ? 1 : stepsPerEpoch ? batchInEpoch / stepsPerEpoch : 0));
          evaluatedAtEnd = isLast;
          if (stop === null && !atMax && !isLast) progress.start(`epoch ${s.epoch + 1}`, stepsPerEpoch ?? 0);
        }
        if (atMax) {
          stop = stop ?? 'maxSteps';
          break;
        }
        if (stop !== null) break;
      }
      if (stop !== null && batchInEpoch !== stepsPerEpoch) break; // stopped mid-epoch
      progress.end();
      s.epoch++;
      this.scheduler?.step();
      if (!evaluatedAtEnd && (opts.evalFreq === undefined || window.numBatches > 0)) yield* evaluate(s.epoch);
      if (opts.checkpointDir && s.epoch % checkpointEvery === 0) yield this.checkpointTask(opts.checkpointDir, 'last', trainLoader);
    }
    r.stopReason = stop ?? (maxSteps !== undefined && s.step >= maxSteps ? 'maxSteps' : 'epochs');
    r.numSteps = s.step;
    r.wallTimeS = wall0 + (performance.now() - t0) / 1000;
    return structuredClone(r);
  }

  /** The history so far (a copy). */
  result(): FitResult {
    return structuredClone(this.state.result);
  }

  /**
   * Commits a checkpoint `<dir>/<name>.json` with its weights and optimizer state (see checkpoint.ts);
   * `resumable` says whether it was taken at an epoch end, where fit can continue from it.
   */
  saveCheckpoint(dir: string, name = 'last', trainLoader?: BatchSource, resumable = true): void {
    this.writeCheckpoint(dir, name, trainLoader, this.model.stateDict(), this.optimizer.stateDict(), resumable);
  }

  private writeCheckpoint(dir: string, name: string, trainLoader: BatchSource | undefined, weights: Map<string, Tensor>, optimizer: unknown, resumable: boolean): void {
    const gens: Record<string, number[]> = { default: defaultGenerator.getState() };
    if (trainLoader?.generator && trainLoader.generator !== defaultGenerator) gens['trainLoader'] = trainLoader.generator.getState();
    for (const [k, g] of Object.entries(this.generators)) gens[k] = g.getState();
    const st: CheckpointState = {
      trainer: { ...this.state, result: this.state.result },
      optimizer,
      scheduler: this.scheduler?.stateDict() ?? null,
      generators: gens,
    };
    saveCheckpoint(dir, name, weights, st, { resumable, epoch: this.state.epoch, step: this.state.step });
  }

  /**
   * Restores the newest complete resumable checkpoint in `dir` (by step: `last`, or `best` when it
   * is newer). A damaged one is skipped for the next; `skipped` says which and why. Throws a
   * CheckpointError listing every failure when none loads.
   */
  resume(dir: string, trainLoader?: BatchSource): { name: string; skipped: { name: string; error: string }[] } {
    const skipped: { name: string; error: string }[] = [];
    for (const c of listCheckpoints(dir)) {
      if (!c.resumable) continue;
      try {
        this.loadCheckpoint(dir, c.name, trainLoader);
        return { name: c.name, skipped };
      } catch (e) {
        if (!(e instanceof TsgradError)) throw e;
        skipped.push({ name: c.name, error: e.message });
      }
    }
    throw new CheckpointError(`no complete checkpoint to resume from in ${dir}${skipped.length ? `: ${skipped.map((s) => `${s.name}: ${s.error}`).join('; ')}` : ''}`);
  }

  /**
   * Restores weights, optimizer, schedule, trainer state and generators from `<dir>/<name>.*`, so
   * the next fit continues the same run. A state dict that does not fit the model is refused
   * before anything changes.
   */
  loadCheckpoint(dir: string, name = 'last', trainLoader?: BatchSource): void {
    const { weights, state } = loadCheckpoint(dir, name);
    const t = state.trainer as RunState;
    if (typeof t.epoch !== 'number' || typeof t.step !== 'number' || typeof t.result !== 'object') throw new CheckpointError(`checkpoint ${name} in ${dir}: the trainer state lacks epoch, step or result`);
    this.model.loadStateDict(weights);
    this.optimizer.loadStateDict(state.optimizer as never);
    if (this.scheduler && state.scheduler !== null) this.scheduler.loadStateDict(state.scheduler as never);
    this.state = { ...t, result: { ...emptyResult(), ...t.result } };
    const gens = state.generators;
    if (gens['default']) defaultGenerator.setState(gens['default']);
    if (trainLoader?.generator && trainLoader.generator !== defaultGenerator && gens['trainLoader']) trainLoader.generator.setState(gens['trainLoader']);
    for (const [k, g] of Object.entries(this.generators)) if (gens[k]) g.setState(gens[k]);
  }
}

/** Work the fit loop waits for: synchronously (fit, CPU) or awaited (fitAsync). */
interface Pending {
  resolveSync(): void;
  resolve(): Promise<void>;
}

/** A copy of a state dict value with every tensor brought to the CPU. */
async function cpuDeep(v: unknown): Promise<unknown> {
  if (v instanceof Tensor) return v.cpuAsync();
  if (Array.isArray(v)) return Promise.all(v.map(cpuDeep));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = await cpuDeep(x);
    return out;
  }
  return v;
}

/** A batch's loss and correct count left on the model's device (trainBatchDevice). */
export interface DeviceBatch {
  /** Mean loss over the batch (0-d). */
  loss: Tensor;
  /** Correct argmax predictions (0-d int32). */
  correct: Tensor;
  numSamples: number;
}

/** Correct argmax predictions of [N, C] logits against labels [N], as a 0-d device tensor. */
function deviceCorrect(output: Tensor, target: Tensor): Tensor {
  return noGrad(() => {
    if (output.ndim !== 2 || target.ndim !== 1 || output.shape[0] !== target.shape[0]) return to(sum(eq(target, -1)), 'int32').mul(0);
    return sum(to(eq(argmax(output, 1), target), 'int32'));
  });
}

/** Sums batch results into a mean loss and accuracy (on a device: as tensors, read by resolve()). */
class Accumulator implements Pending {
  private lossSum = 0;
  private correct = 0;
  private samples = 0;
  numBatches = 0;
  private lossT: Tensor | null = null;
  private correctT: Tensor | null = null;

  add(b: BatchResult): void {
    this.lossSum += b.loss * b.numSamples;
    this.correct += b.numCorrect;
    this.samples += b.numSamples;
    this.numBatches++;
  }

  addDevice(b: DeviceBatch): void {
    noGrad(() => {
      const l = b.loss.mul(b.numSamples);
      this.lossT = this.lossT ? add(this.lossT, l) : l;
      this.correctT = this.correctT ? add(this.correctT, b.correct) : b.correct;
    });
    this.samples += b.numSamples;
    this.numBatches++;
  }

  /** Reads the device sums (the one read-back of a window of steps). */
  async resolve(): Promise<void> {
    if (this.lossT) this.lossSum += await this.lossT.itemAsync();
    if (this.correctT) this.correct += await this.correctT.itemAsync();
    this.lossT = this.correctT = null;
  }

  /** resolve() for CPU tensors (fit's synchronous path). */
  resolveSync(): void {
    if (this.lossT) this.lossSum += this.lossT.item();
    if (this.correctT) this.correct += this.correctT.item();
    this.lossT = this.correctT = null;
  }

  result(): EpochResult {
    return { loss: this.samples ? this.lossSum / this.samples : NaN, accuracy: this.samples ? this.correct / this.samples : NaN, numSamples: this.samples, numBatches: this.numBatches };
  }
}

function checkPositiveInt(name: string, v: number, allowInfinity = false): void {
  if (allowInfinity && v === Infinity) return;
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`Trainer.fit: ${name} must be a positive integer, got ${v}`);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function fmtEpoch(e: number): string {
  return Number.isInteger(e) ? String(e) : e.toFixed(2);
}

function pct(a: number): string {
  return Number.isFinite(a) ? `${(100 * a).toFixed(2)}%` : 'n/a';
}
