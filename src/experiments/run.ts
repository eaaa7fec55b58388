// Tensor methods used below (x.matmul, ...) are attached by the ops modules.
import '../ops/index.js';
import { Generator, manualSeed } from '../core/rng.js';
import { getBackend } from '../backend/registry.js';
import { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import { CrossEntropyLoss } from '../nn/layers/loss.js';
import type { Module } from '../nn/module.js';
import { Adam, AdamW } from '../optim/adam.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import { Trainer, type TrainerOptimizer } from '../train/trainer.js';
import type { ProgressReporter } from '../train/progress.js';
import { runName, type ExperimentConfig } from './config.js';
import { loadSplit } from './data.js';
import { buildModel, experimentModelConfig } from './model.js';
import { importModelFile, parseModelFileArg } from '../train/model-file.js';
import { saveModel } from '../train/saved-model.js';
import { splitValidation } from '../train/prepare.js';
import { TsgradError } from '../core/errors.js';
import { join } from 'node:path';
import { configHash, resultPath, writeJsonAtomic, type RunResult } from './results.js';

/** The config's optimizer over the model's parameters (reg is L2 weight decay). */
export function buildOptimizer(cfg: ExperimentConfig, model: Module): TrainerOptimizer {
  const params = [...model.parameters()];
  switch (cfg.optimizer) {
    case 'sgd':
      return new SGD(params, { lr: cfg.lr, momentum: cfg.momentum, weightDecay: cfg.reg });
    case 'adam':
      return new Adam(params, { lr: cfg.lr, weightDecay: cfg.reg });
    case 'adamw':
      return new AdamW(params, { lr: cfg.lr, weightDecay: cfg.reg });
    case 'rmsprop':
      return new RMSprop(params, { lr: cfg.lr, weightDecay: cfg.reg, momentum: cfg.momentum });
  }
}

/** Options of runExperiment. */
export interface RunExperimentOptions {
  /** Folder of the result file. */
  outDir: string;
  /** Progress of the epochs (default: none). */
  progress?: ProgressReporter;
  /** Called after each epoch with a one-line summary. */
  onEpoch?: (line: string) => void;
  /** Receives data-loading notices (default: stderr). */
  onNotice?: (msg: string) => void;
}

/**
 * Trains one configuration with the Trainer (cross-entropy loss, seeded weights and shuffling) and
 * writes `<outDir>/<runName>.json` atomically: the config and the full per-epoch history.
 */
export async function runExperiment(cfg: ExperimentConfig, opts: RunExperimentOptions): Promise<RunResult> {
  const startedAt = new Date();
  const train = await loadSplit(cfg, 'train', opts.onNotice);
  const test = await loadSplit(cfg, 'test', opts.onNotice);
  if (cfg.modelFile !== null) await importModelFile(parseModelFileArg(cfg.modelFile).path);
  manualSeed(cfg.seed);
  const inSize = train.images.shape.slice(1);
  const model = buildModel(cfg, inSize, train.classes.length);
  let split: ReturnType<typeof splitValidation>;
  try {
    split = splitValidation(train.images, train.labels, cfg.valSplit, cfg.seed + 3);
  } catch (e) {
    throw new TsgradError(`run-exp: --val-split: ${(e as Error).message.replace(/^splitValidation: /, '')}`);
  }
  const trainLoader = new DataLoader(new TensorDataset(...split.train), { batchSize: cfg.bsTrain, shuffle: true, generator: new Generator(cfg.seed + 1) });
  const valLoader = split.val ? new DataLoader(new TensorDataset(...split.val), { batchSize: cfg.bsTest }) : undefined;
  const testLoader = new DataLoader(new TensorDataset(test.images, test.labels), { batchSize: cfg.bsTest });
  const trainer = new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: buildOptimizer(cfg, model) });
  const name = runName(cfg);
  // The weights at the best point by validation loss (the test set never chooses), with how to rebuild the model.
  const modelDir = join(opts.outDir, `${name}.model`);
  const c = inSize[0]!;
  const saveBest = (): void => {
    saveModel(modelDir, model, {
      format: 'tsgrad-model/1',
      config: experimentModelConfig(cfg, inSize, train.classes.length),
      classes: train.classes,
      normalize: { mean: Array<number>(c).fill(0), std: Array<number>(c).fill(1) },
      dataset: { name: cfg.dataset, source: train.source },
    });
  };
  const fit = trainer.fit(trainLoader, testLoader, {
    ...(valLoader ? { valLoader, monitor: 'valLoss' as const } : { monitor: 'trainLoss' as const }),
    epochs: cfg.epochs,
    ...(cfg.earlyStopping !== null ? { earlyStopping: { patience: cfg.earlyStopping } } : {}),
    ...(opts.progress ? { progress: opts.progress } : {}),
    onEpoch: (r) => {
      const i = r.trainLoss.length - 1;
      if (r.bestIndex === i) saveBest();
      const val = r.valLoss ? `, val loss ${r.valLoss[i]!.toFixed(4)} acc ${(100 * r.valAcc![i]!).toFixed(2)}%` : '';
      opts.onEpoch?.(`${name} epoch ${r.epoch[i]}: train loss ${r.trainLoss[i]!.toFixed(4)} acc ${(100 * r.trainAcc[i]!).toFixed(2)}%${val}, test loss ${r.testLoss[i]!.toFixed(4)} acc ${(100 * r.testAcc[i]!).toFixed(2)}%`);
    },
  });
  const finishedAt = new Date();
  const result: RunResult = {
    runName: name,
    config: cfg,
    result: fit,
    numParams: model.numParameters(true),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    backend: getBackend().name,
    dataSource: { train: train.source, test: test.source, numTrain: split.train[1].shape[0]!, numVal: split.val?.[1].shape[0] ?? 0, numTest: test.labels.shape[0]! },
    configHash: configHash(cfg),
    modelDir,
  };
  writeJsonAtomic(resultPath(opts.outDir, name), result);
  return result;
}
