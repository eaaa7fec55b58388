import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { MODEL_NAMES } from '../../train/models.js';
import { parseModelFileArg, type ModelFileRef } from '../../train/model-file.js';
import { DEFAULT_LR, OPTIMIZER_NAMES } from '../../train/optimizers.js';
import type { TrainConfig } from '../../train/run.js';
import { flag, flagsHelp, parseFlags } from '../args.js';
import { plural, trainSummary } from '../../train/summary.js';
import { UsageError, type Command } from '../command.js';
import { setDetectAnomaly } from '../../autograd/anomaly.js';

const DATASETS = ['fashion-mnist', 'mnist', 'cifar10'] as const;

/** Flags of `tsgrad train`; the defaults make a short Fashion-MNIST run that needs no data folder. */
export const TRAIN_FLAGS = {
  model: flag.string(`model to train: ${MODEL_NAMES.join(', ')}, or a name that --model-file registers (default mlp; with --model-file: its default export)`, { valueName: 'NAME' }),
  'model-file': flag.string('JS file defining the model: a default (or #named) export ({ inputShape, numClasses, options }) => Module, or tg.models.register calls', { valueName: 'FILE.js[#export]' }),
  'model-options': flag.string('JSON object passed to the model factory as options (resnet/custom: K, L, P, H, batchnorm, …)', { valueName: 'JSON' }),
  dataset: flag.choice('dataset (fashion-mnist falls back to the embedded subset)', DATASETS, { default: 'fashion-mnist' }),
  optimizer: flag.choice('optimizer (momentum = SGD with momentum 0.9)', OPTIMIZER_NAMES, { default: 'adam' }),
  lr: flag.number('learning rate (default: sgd 0.1, momentum 0.01, rmsprop/adam 0.001)', { min: 0, exclusiveMin: true }),
  'batch-size': flag.integer('samples per batch', { default: 64, min: 1 }),
  epochs: flag.integer('epochs to train (default 5 unless --max-steps is given)', { min: 1 }),
  'max-steps': flag.integer('stop after this many optimizer steps', { min: 1 }),
  'eval-freq': flag.integer('also evaluate every N steps (default: each epoch end)', { min: 1, valueName: 'N' }),
  'weight-decay': flag.number('L2 weight decay', { default: 0, min: 0 }),
  dropout: flag.number('dropout probability in the classifier', { default: 0, min: 0, max: 0.95 }),
  augment: flag.boolean('random crops (and flips on cifar10) while training'),
  seed: flag.integer('seed of weights, shuffling, dropout and augmentation', { default: 0, min: 0 }),
  hidden: flag.string('MLP hidden widths, comma-separated', { default: '256,128', valueName: 'W1,W2' }),
  'limit-train': flag.integer('use only the first N training images', { min: 1, valueName: 'N' }),
  'limit-test': flag.integer('use only the first N test images', { min: 1, valueName: 'N' }),
  'val-split': flag.number('fraction of the training images held out (seeded) for validation: early stopping and checkpoints/best watch it; 0: none (then the training loss)', { default: 0.1, min: 0, max: 0.9, valueName: 'F' }),
  patience: flag.integer('early stopping: evaluations without a better validation loss', { min: 1, valueName: 'N' }),
  'lr-step': flag.integer('multiply the learning rate by --lr-gamma every N epochs', { min: 1, valueName: 'N' }),
  'lr-gamma': flag.number('learning-rate decay factor of --lr-step', { default: 0.1, min: 0, exclusiveMin: true }),
  'checkpoint-every': flag.integer('resumable checkpoint every N epochs', { default: 1, min: 1, valueName: 'N' }),
  out: flag.string('output folder (without --out: tsgrad-run, or tsgrad-run-2, -3, … if taken)', { default: 'tsgrad-run', valueName: 'DIR' }),
  resume: flag.boolean('continue the run saved in --out from its last checkpoint'),
  'data-dir': flag.string('data root (default $TSGRAD_DATA, else ~/.cache/tsgrad)', { valueName: 'DIR' }),
  download: flag.boolean('download missing official data files'),
  quiet: flag.boolean('no progress output', { short: 'q' }),
  'detect-anomaly': flag.boolean('stop at the first op whose forward or backward turns finite values into NaN/Inf, naming it (slow)'),
  device: flag.choice('where to train: cpu, or webgpu (a GPU through WebGPU; see docs/gpu.md)', ['cpu', 'webgpu'] as const, { default: 'cpu' }),
};

/** Turns parsed flags into a run config, checking combinations parseArgs cannot. */
export function trainConfigFromFlags(v: ReturnType<typeof parseFlags<typeof TRAIN_FLAGS>>['values']): TrainConfig {
  const hidden = v.hidden.split(',').map((s) => Number(s.trim()));
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new UsageError(`train: --hidden must be positive whole numbers separated by commas, got ${JSON.stringify(v.hidden)}`);
  const model = v.model ?? (v['model-file'] !== undefined ? 'file' : 'mlp');
  if (v.hidden !== TRAIN_FLAGS.hidden.default && model !== 'mlp') throw new UsageError(`train: --hidden applies to --model mlp only (got --model ${model})`);
  let modelOptions: Record<string, unknown> | undefined;
  if (v['model-options'] !== undefined) {
    try {
      modelOptions = JSON.parse(v['model-options']) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`train: --model-options must be a JSON object, e.g. '{"K":[16,32]}' (${(e as Error).message})`);
    }
    if (typeof modelOptions !== 'object' || modelOptions === null || Array.isArray(modelOptions)) throw new UsageError(`train: --model-options must be a JSON object, got ${v['model-options']}`);
  }
  let modelFile: ModelFileRef | undefined;
  try {
    modelFile = v['model-file'] !== undefined ? parseModelFileArg(v['model-file']) : undefined;
  } catch (e) {
    throw new UsageError(`train: ${(e as Error).message}`);
  }
  const cfg: TrainConfig = {
    model,
    ...(modelFile ? { modelFile } : {}),
    ...(modelOptions ? { modelOptions } : {}),
    dataset: v.dataset,
    optimizer: v.optimizer,
    lr: v.lr ?? DEFAULT_LR[v.optimizer],
    batchSize: v['batch-size'],
    ...(v.epochs !== undefined || v['max-steps'] === undefined ? { epochs: v.epochs ?? 5 } : {}),
    ...(v['max-steps'] !== undefined ? { maxSteps: v['max-steps'] } : {}),
    ...(v['eval-freq'] !== undefined ? { evalFreq: v['eval-freq'] } : {}),
    weightDecay: v['weight-decay'],
    dropout: v.dropout,
    augment: v.augment,
    seed: v.seed,
    hidden,
    valSplit: v['val-split'],
    ...(v['limit-train'] !== undefined ? { limitTrain: v['limit-train'] } : {}),
    ...(v['limit-test'] !== undefined ? { limitTest: v['limit-test'] } : {}),
    ...(v.patience !== undefined ? { patience: v.patience } : {}),
    ...(v['lr-step'] !== undefined ? { lrStep: v['lr-step'] } : {}),
    lrGamma: v['lr-gamma'],
    checkpointEvery: v['checkpoint-every'],
  };
  return cfg;
}

/** The default output folder, or the first free `<base>-2`, `<base>-3`, … so that a plain `tsgrad train` can run again. */
function freeRunDir(base: string): string {
  if (!existsSync(base)) return base;
  for (let i = 2; ; i++) if (!existsSync(`${base}-${i}`)) return `${base}-${i}`;
}

/** `tsgrad train`: trains a model and writes results, curves and the model into --out. */
export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model on Fashion-MNIST, MNIST or CIFAR-10; writes results, curves and the model',
  usage: `Usage: tsgrad train [options]

Trains --model on --dataset and writes into --out:
  results.json          config, per-epoch train/test loss and accuracy, wall time
  curves.png/.svg       loss and accuracy curves
  model.safetensors     weights, with model.json (architecture, classes, normalisation)
  checkpoints/          last.* (resumable with --resume) and best.* (best validation loss)
The validation images (--val-split, default 10% of the training images, chosen by --seed) pick
early stopping and the best checkpoint; the test images are only reported, never used to choose.
With no options: an MLP on Fashion-MNIST for 5 epochs with Adam (the embedded 2,000-image
subset when the full data is not in the data folder): seconds with the native backend, under a
minute on the reference backend.

Options:
${flagsHelp(TRAIN_FLAGS)}

Examples:
  tsgrad train
  tsgrad train --model cnn --optimizer momentum --epochs 10 --out runs/cnn
  tsgrad train --model resnet --model-options '{"K":[16,32],"L":2}' --epochs 3
  tsgrad train --model-file ./my-net.js --epochs 3 --out runs/mine
  tsgrad train --model mlp --dataset mnist --data-dir ~/data --max-steps 2000 --eval-freq 500
  tsgrad train --out runs/cnn --resume --epochs 20
`,
  async run(argv) {
    const { values } = parseFlags('tsgrad train', argv, TRAIN_FLAGS);
    const cfg = trainConfigFromFlags(values);
    if (values['detect-anomaly']) setDetectAnomaly(true);
    const out = resolve(argv.some((a) => a === '--out' || a.startsWith('--out=')) || values.resume ? values.out : freeRunDir(values.out));
    // Loaded on demand: the plotting stack (vega) is heavy, and other commands do not need it.
    const { runTraining } = await import('../../train/run.js');
    try {
      const r = await runTraining(cfg, {
        out,
        resume: values.resume,
        ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
        download: values.download,
        progress: values.quiet ? 'off' : 'auto',
        device: values.device,
      });
      const res = r.result;
      process.stdout.write(
        `trained ${cfg.model === 'file' && cfg.modelFile ? `${basename(cfg.modelFile.path)}${cfg.modelFile.export ? `#${cfg.modelFile.export}` : ''}` : cfg.model} on ${cfg.dataset} (${r.dataSource}): ${plural(res.numEpochs, 'epoch')}, ${plural(res.numSteps, 'step')}, ${res.wallTimeS.toFixed(1)} s\n` +
          `${trainSummary(res)}\n` +
          `curves:  ${r.files.curves.png}\n         ${r.files.curves.svg}\n` +
          `results: ${r.files.results}\n` +
          `model:   ${r.files.model.weights}\n`,
      );
      return 0;
    } catch (e) {
      if ((e as Error).name === 'RunConfigError') throw new UsageError(`train: ${(e as Error).message}`);
      throw e;
    }
  },
};
