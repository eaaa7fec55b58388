import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import { Generator, manualSeed } from '../core/rng.js';
import { getBackend } from '../backend/registry.js';
import type { Device } from '../backend/device.js';
import { initWebGPU } from '../backend/webgpu/index.js';
import { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import { loadDataset, type DatasetName, type LoadedDataset } from '../data/datasets.js';
import { compose, normalize, randomCrop, randomHorizontalFlip } from '../data/transforms.js';
import { CrossEntropyLoss } from '../nn/layers/loss.js';
import type { Module } from '../nn/module.js';
import { StepLR } from '../optim/lr-scheduler.js';
import { plotRuns } from '../plot/runs.js';
import { ensureDir, removeStaleTemps, writeFileAtomic } from '../core/atomic-write.js';
import { writePlot } from '../plot/write.js';
import type { Tensor } from '../tensor/tensor.js';
import { cleanCheckpointDir, listCheckpoints } from './checkpoint.js';
import { makeOptimizer, type OptimizerName } from './optimizers.js';
import { buildModel, isBuiltinModel, modelInputShape, type ModelConfig, type ModelName } from './models.js';
import { importModelFile, type ModelFileRef } from './model-file.js';
import { isRegistered, registeredModels } from '../models/registry.js';
import { splitValidation, channelStats, firstRows, normalizeImages, padImages } from './prepare.js';
import { createProgress, type ProgressMode } from './progress.js';
import { saveModel } from './saved-model.js';
import { Trainer, type FitResult } from './trainer.js';

export { OPTIMIZER_NAMES, DEFAULT_LR, makeOptimizer, type OptimizerName } from './optimizers.js';

/** Everything a training run depends on (saved as config.json; --resume checks it matches). */
export interface TrainConfig {
  /** A built-in model, a registered one, or 'file' (the default or named export of modelFile). */
  model: ModelName | (string & {});
  /** JS file defining the model (a factory export, or tg.models.register calls); imported before building. */
  modelFile?: ModelFileRef;
  /** Options passed to registered/file factories and to resnet/custom (K, L, P, H, …). */
  modelOptions?: Record<string, unknown>;
  dataset: DatasetName;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  epochs?: number;
  maxSteps?: number;
  evalFreq?: number;
  weightDecay: number;
  dropout: number;
  augment: boolean;
  seed: number;
  /** Hidden widths of the MLP. */
  hidden: number[];
  /** Fraction of the (limited) training images held out for validation, chosen by the seed; 0: none (then the training loss picks the best point). */
  valSplit: number;
  /** Use only the first N training / test images (small runs and overfitting checks). */
  limitTrain?: number;
  limitTest?: number;
  /** Early stopping patience in evaluations (none when undefined). */
  patience?: number;
  /** Multiply the learning rate by lrGamma every lrStep epochs (none when undefined). */
  lrStep?: number;
  lrGamma: number;
  /** Resumable checkpoint every N epochs. */
  checkpointEvery: number;
}

/** Where a run reads data and writes results, and how it reports. */
export interface RunOptions {
  out: string;
  resume?: boolean;
  dataDir?: string;
  download?: boolean;
  progress?: ProgressMode | 'auto';
  /** 'webgpu': train on a GPU (reads only at evaluation points); default 'cpu'. */
  device?: Device;
  /** One-line notices (data fallback, resume); default stderr. */
  onNotice?: (msg: string) => void;
}

/** What a run wrote, and its history. */
export interface RunOutput {
  result: FitResult;
  files: { results: string; curves: { svg: string; png: string }; model: { weights: string; meta: string }; config: string };
  dataSource: string;
}

/** The results.json document. */
export interface RunResults {
  format: 'tsgrad-results/1';
  config: TrainConfig;
  result: FitResult;
  finalTestAcc: number;
  /** Test accuracy at the best point (`best`), the same point as result.bestEpoch and checkpoints/best. */
  bestTestAcc: number;
  /** The best point by the monitored metric (lowest validation loss; training loss with --val-split 0): what checkpoints/best holds. */
  best: { by: 'valLoss' | 'testLoss' | 'trainLoss'; index: number; epoch: number; step: number; valLoss?: number; valAcc?: number; testLoss: number; testAcc: number };
  /** The highest test accuracy seen and where; may be another point than `best`. */
  highestTestAcc: { value: number; epoch: number; step: number };
  dataset: { name: string; source: string; trainSize: number; valSize: number; testSize: number };
  backend: string;
  finishedAt: string;
}

/** The best point by the metric the Trainer monitored (`by`: the validation loss when there was a validation set) and the point of highest test accuracy. */
export function bestPoints(r: FitResult, by: RunResults['best']['by'] = r.valLoss ? 'valLoss' : 'testLoss'): Pick<RunResults, 'bestTestAcc' | 'best' | 'highestTestAcc'> {
  const i = r.bestIndex;
  const at = (k: number) => ({ epoch: r.epoch[k] ?? NaN, step: r.step[k] ?? NaN });
  let h = -1;
  r.testAcc.forEach((a, k) => {
    if (Number.isFinite(a) && (h < 0 || a > r.testAcc[h]!)) h = k;
  });
  return {
    bestTestAcc: r.testAcc[i] ?? NaN,
    best: { by, index: i, ...at(i), ...(r.valLoss ? { valLoss: r.valLoss[i] ?? NaN, valAcc: r.valAcc?.[i] ?? NaN } : {}), testLoss: r.testLoss[i] ?? NaN, testAcc: r.testAcc[i] ?? NaN },
    highestTestAcc: { value: h < 0 ? NaN : r.testAcc[h]!, ...at(h) },
  };
}

/** Bad run settings or an output folder in the wrong state; the CLI prints it as a usage error. */
export class RunConfigError extends TsgradError {
  override name = 'RunConfigError';
}

/** Keys of the config that must match for --resume (everything: a resumed run is the same run). */
function configDiff(a: TrainConfig, b: TrainConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof TrainConfig>;
  // Stopping points may be extended on resume: train 5 epochs, then resume to 10.
  for (const k of ['epochs', 'maxSteps', 'patience', 'checkpointEvery'] as const) keys.delete(k);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: saved ${JSON.stringify(a[k])}, now ${JSON.stringify(b[k])}`);
}

/**
 * Checks the output folder fits the request: a fresh folder, or a resumable one with --resume.
 * Returns whether a checkpoint exists to resume from.
 */
function checkOutDir(cfg: TrainConfig, opts: RunOptions): boolean {
  const { out } = opts;
  const cfgPath = join(out, 'config.json');
  if (existsSync(out) && !statSync(out).isDirectory()) throw new RunConfigError(`--out ${out} is a file, not a folder`);
  const ckpts = listCheckpoints(join(out, 'checkpoints'));
  if (opts.resume) {
    if (!existsSync(cfgPath)) throw new RunConfigError(`--resume: ${out} holds no checkpoint to resume (expected ${cfgPath} of an earlier run)`);
    let saved: TrainConfig;
    try {
      saved = JSON.parse(readFileSync(cfgPath, 'utf8')) as TrainConfig;
    } catch (e) {
      throw new RunConfigError(`--resume: ${cfgPath} is not valid JSON (${(e as Error).message})`);
    }
    const diff = configDiff(saved, cfg);
    if (diff.length) throw new RunConfigError(`--resume: the flags differ from the run saved in ${out}: ${diff.join('; ')}`);
    return ckpts.length > 0;
  }
  if (ckpts.length || existsSync(join(out, 'results.json'))) {
    // A config.json alone is a run that died before its first checkpoint: starting over is fine.
    throw new RunConfigError(`--out ${out} already holds a run; pass --resume to continue it, or choose another folder`);
  }
  return false;
}

/**
 * Runs `tsgrad train`: loads the data (the embedded Fashion-MNIST subset when the full set is
 * absent), builds model and optimizer from the seed, trains with checkpoints in <out>/checkpoints,
 * and writes results.json, curves.{png,svg}, model.{safetensors,json} and config.json into <out>,
 * each atomically.
 */
export async function runTraining(cfg: TrainConfig, opts: RunOptions): Promise<RunOutput> {
  const notice = opts.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (opts.dataDir !== undefined && !(existsSync(opts.dataDir) && statSync(opts.dataDir).isDirectory())) {
    throw new RunConfigError(`--data-dir ${opts.dataDir} does not exist or is not a folder`);
  }
  if (cfg.epochs === undefined && cfg.maxSteps === undefined) throw new RunConfigError('give --epochs or --max-steps');
  // The model is checked before anything is written.
  if (cfg.modelFile) await importModelFile(cfg.modelFile.path);
  if (!cfg.modelFile && !isBuiltinModel(cfg.model) && !isRegistered(cfg.model)) {
    throw new RunConfigError(`unknown model ${JSON.stringify(cfg.model)}: expected a built-in (mlp, cnn, convnet, resnet, custom), a registered model (${registeredModels().join(', ')}), or --model-file FILE.js`);
  }
  const canResume = checkOutDir(cfg, opts);
  ensureDir(opts.out);
  // What a killed run left: temporary files, and checkpoint files no committed manifest names.
  const stale = [...removeStaleTemps(opts.out), ...cleanCheckpointDir(join(opts.out, 'checkpoints'))];
  if (stale.length) notice(`tsgrad: removed ${stale.length} file(s) left by an interrupted run in ${opts.out}`);

  // Both splits may fall back to the embedded subset: say so once, not twice.
  const notices: string[] = [];
  const loadOpts = { ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}), download: opts.download ?? false, onNotice: (m: string) => notices.push(m) };
  let train: LoadedDataset;
  let test: LoadedDataset;
  try {
    train = await loadDataset(cfg.dataset, 'train', loadOpts);
    test = await loadDataset(cfg.dataset, 'test', loadOpts);
  } finally {
    const fallback = notices.filter((m) => /using the embedded subset/.test(m));
    for (const m of notices) if (!fallback.includes(m)) notice(m);
    if (fallback.length === 2) notice(fallback[0]!.replace(/\((\d+) train images\)/, (_s, n: string) => `(${n} train and ${/\((\d+) test images\)/.exec(fallback[1]!)?.[1] ?? '?'} test images)`));
    else fallback.forEach((m) => notice(m));
  }
  let xTrain = firstRows(train.images, cfg.limitTrain);
  let yTrain = firstRows(train.labels, cfg.limitTrain);
  // Validation images are held out of training before anything is fitted to it (normalisation statistics included).
  let split: ReturnType<typeof splitValidation>;
  try {
    split = splitValidation(xTrain, yTrain, cfg.valSplit, cfg.seed + 3);
  } catch (e) {
    throw new RunConfigError(`--val-split: ${(e as Error).message.replace(/^splitValidation: /, '')}`);
  }
  [xTrain, yTrain] = split.train;
  let xVal = split.val?.[0];
  const yVal = split.val?.[1];
  let xTest = firstRows(test.images, cfg.limitTest);
  const yTest = firstRows(test.labels, cfg.limitTest);
  const inputShape = modelInputShape(cfg.model, xTrain.shape.slice(1));
  xTrain = padImages(xTrain, inputShape[1], inputShape[2]);
  xTest = padImages(xTest, inputShape[1], inputShape[2]);
  if (xVal) xVal = padImages(xVal, inputShape[1], inputShape[2]);
  const stats = channelStats(xTrain);

  manualSeed(cfg.seed);
  const modelCfg: ModelConfig = { model: cfg.model, inputShape, numClasses: train.classes.length, ...(cfg.model === 'mlp' ? { hidden: cfg.hidden } : {}), dropout: cfg.dropout, ...(cfg.modelOptions ? { options: cfg.modelOptions } : {}), ...(cfg.modelFile ? { file: cfg.modelFile } : {}) };
  const model: Module = buildModel(modelCfg);
  const optimizer = makeOptimizer(cfg.optimizer, model.parameters(), cfg.lr, cfg.weightDecay);
  const scheduler = cfg.lrStep !== undefined ? new StepLR(optimizer, { stepSize: cfg.lrStep, gamma: cfg.lrGamma }) : undefined;

  // Augmentation works on [0,1] images, then normalises per batch; without it, normalise once.
  const augGen = new Generator(cfg.seed + 2);
  let transform: ((x: Tensor) => Tensor) | undefined;
  if (cfg.augment) {
    const steps = [randomCrop([inputShape[1], inputShape[2]], { padding: cfg.dataset === 'cifar10' ? 4 : 2, generator: augGen })];
    if (cfg.dataset === 'cifar10') steps.push(randomHorizontalFlip(0.5, { generator: augGen }));
    transform = compose(...steps, normalize(stats.mean, stats.std));
  } else xTrain = normalizeImages(xTrain, stats.mean, stats.std);
  xTest = normalizeImages(xTest, stats.mean, stats.std);
  if (xVal) xVal = normalizeImages(xVal, stats.mean, stats.std);

  const device = opts.device ?? 'cpu';
  if (device !== 'cpu' && !(await initWebGPU())) {
    throw new TsgradError(`train: --device ${device}: no WebGPU adapter (in Node this needs the optional 'webgpu' package and a Vulkan, Metal or D3D12 driver; see docs/gpu.md)`);
  }
  const onDevice = device === 'cpu' ? {} : { device };
  const trainLoader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize: cfg.batchSize, shuffle: true, generator: new Generator(cfg.seed + 1), ...(transform ? { transform } : {}), ...onDevice });
  const testLoader = new DataLoader(new TensorDataset(xTest, yTest), { batchSize: Math.max(cfg.batchSize, 500), ...onDevice });
  const valLoader = xVal && yVal ? new DataLoader(new TensorDataset(xVal, yVal), { batchSize: Math.max(cfg.batchSize, 500), ...onDevice }) : undefined;
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer, ...(scheduler ? { scheduler } : {}), generators: { augment: augGen } });
  const ckptDir = join(opts.out, 'checkpoints');
  if (opts.resume && canResume) {
    const { name, skipped } = trainer.resume(ckptDir, trainLoader);
    for (const s of skipped) notice(`tsgrad: checkpoint ${s.name} is damaged, falling back to an older one (${s.error})`);
    notice(`tsgrad: resuming ${opts.out} from checkpoint ${name} after epoch ${trainer.epoch} (step ${trainer.step})`);
  } else if (opts.resume) {
    notice(`tsgrad: ${opts.out} holds no complete checkpoint yet; starting the run from the beginning`);
  } else writeFileAtomic(join(opts.out, 'config.json'), `${JSON.stringify(cfg, null, 2)}\n`, { makeDirs: true });

  const progress = createProgress({ mode: opts.progress ?? 'auto' });
  // The optimizer was built on the CPU parameters; module.to keeps them, so its state follows.
  if (device !== 'cpu') model.to(device);
  const fitOpts = {
    ...(cfg.epochs !== undefined ? { epochs: cfg.epochs } : {}),
    ...(cfg.maxSteps !== undefined ? { maxSteps: cfg.maxSteps } : {}),
    ...(cfg.evalFreq !== undefined ? { evalFreq: cfg.evalFreq } : {}),
    ...(cfg.patience !== undefined ? { earlyStopping: { patience: cfg.patience } } : {}),
    checkpointEvery: cfg.checkpointEvery,
    checkpointDir: ckptDir,
    // The test set never chooses: validation loss, or without validation images the training loss.
    ...(valLoader ? { valLoader, monitor: 'valLoss' as const } : { monitor: 'trainLoss' as const }),
    progress,
  };
  const result = device === 'cpu' ? trainer.fit(trainLoader, testLoader, fitOpts) : await trainer.fitAsync(trainLoader, testLoader, fitOpts);
  if (device !== 'cpu') await model.toAsync('cpu');

  const files = {
    config: join(opts.out, 'config.json'),
    model: saveModel(opts.out, model, { format: 'tsgrad-model/1', config: modelCfg, classes: train.classes, normalize: stats, dataset: { name: cfg.dataset, source: train.source } }),
    curves: writePlot(join(opts.out, 'curves'), await plotRuns([{ name: `${cfg.model} ${cfg.optimizer}`, ...result }], 'both', { title: `${cfg.model} on ${cfg.dataset} (${cfg.optimizer}, lr ${cfg.lr}, batch ${cfg.batchSize})` })),
    results: join(opts.out, 'results.json'),
  };
  const doc: RunResults = {
    format: 'tsgrad-results/1',
    config: cfg,
    result,
    finalTestAcc: result.testAcc.at(-1) ?? NaN,
    ...bestPoints(result, valLoader ? 'valLoss' : 'trainLoss'),
    dataset: { name: cfg.dataset, source: train.source, trainSize: yTrain.shape[0]!, valSize: yVal?.shape[0] ?? 0, testSize: yTest.shape[0]! },
    backend: device === 'cpu' ? getBackend().name : device,
    finishedAt: new Date().toISOString(),
  };
  // results.json last: its presence means the run finished and every other file is complete.
  writeFileAtomic(files.results, `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`, { makeDirs: true });
  return { result, files, dataSource: train.source };
}
