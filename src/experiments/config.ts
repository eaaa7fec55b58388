import { resolve as resolvePath } from 'node:path';
import { TsgradError } from '../core/errors.js';
import { isRegistered } from '../models/registry.js';

/** The model families `run-exp` can build. */
export const MODEL_KINDS = ['cnn', 'resnet', 'convnet', 'custom'] as const;
/** One of MODEL_KINDS. */
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Everything that defines one experiment run; the JSON result file stores it verbatim. */
export interface ExperimentConfig {
  /** Experiment name; the run is named `${name}_L${L}_K${K.join('-')}`. */
  name: string;
  /** A built-in kind (MODEL_KINDS), a registered model, or 'file' (modelFile's default or #named export). */
  model: ModelKind | (string & {});
  /** JS file defining the model (`./net.js` or `./net.js#makeNet`), stored as an absolute path; null: none. */
  modelFile: string | null;
  /** Channels per block; each entry is repeated L times (K=[32,64], L=2 → convs 32,32,64,64). */
  K: number[];
  /** Convolutions per entry of K. */
  L: number;
  /** Pool after every P convolutions (cnn/resnet/custom: a residual block groups P convs). */
  P: number;
  /** Hidden widths of the classifier head. */
  H: number[];
  bsTrain: number;
  bsTest: number;
  epochs: number;
  /** Stop after this many epochs without a better validation loss; null: never. */
  earlyStopping: number | null;
  lr: number;
  /** L2 weight decay. */
  reg: number;
  optimizer: 'sgd' | 'adam' | 'adamw' | 'rmsprop';
  momentum: number;
  seed: number;
  /** Fraction of the training samples held out (seeded) for validation, which picks early stopping and the saved weights; 0: none (the training loss picks). */
  valSplit: number;
  /** Use only the first N training / test samples; null: all. */
  subsetTrain: number | null;
  subsetTest: number | null;
  dataset: 'fashion-mnist' | 'mnist' | 'cifar10';
  /** Dataset folder; null: the data module's default. */
  dataDir: string | null;
  /** ResNet only: use bottleneck blocks. */
  bottleneck: boolean;
  /** Hidden activation of cnn/resnet: relu, lrelu, elu, tanh. */
  activation: string;
  /** Pooling of cnn/resnet: max or avg. */
  pooling: 'max' | 'avg';
  /** Dropout probability (resnet/custom). */
  dropout: number;
  /** Batch normalization inside residual blocks (resnet). */
  batchnorm: boolean;
  /** Pad 28×28 inputs to 32×32 (always on for convnet). */
  pad32: boolean;
}

/** Defaults of every field except name (the homework's classic settings). */
export const DEFAULT_CONFIG: Omit<ExperimentConfig, 'name'> = {
  model: 'cnn',
  modelFile: null,
  K: [32],
  L: 2,
  P: 2,
  H: [100],
  bsTrain: 128,
  bsTest: 256,
  epochs: 10,
  earlyStopping: 3,
  lr: 1e-3,
  reg: 1e-3,
  optimizer: 'adam',
  momentum: 0.9,
  seed: 42,
  valSplit: 0.1,
  subsetTrain: null,
  subsetTest: null,
  dataset: 'fashion-mnist',
  dataDir: null,
  bottleneck: false,
  activation: 'relu',
  pooling: 'max',
  dropout: 0,
  batchnorm: false,
  pad32: false,
};

/** How each config field is spelled as a run-exp flag and in grid files. */
export const FLAG_OF: { readonly [K in keyof ExperimentConfig]: string } = {
  name: 'name',
  model: 'model',
  modelFile: 'model-file',
  K: 'K',
  L: 'L',
  P: 'P',
  H: 'H',
  bsTrain: 'bs-train',
  bsTest: 'bs-test',
  epochs: 'epochs',
  earlyStopping: 'early-stopping',
  lr: 'lr',
  reg: 'reg',
  optimizer: 'optimizer',
  momentum: 'momentum',
  seed: 'seed',
  valSplit: 'val-split',
  subsetTrain: 'subset-train',
  subsetTest: 'subset-test',
  dataset: 'dataset',
  dataDir: 'data-dir',
  bottleneck: 'bottleneck',
  activation: 'activation',
  pooling: 'pooling',
  dropout: 'dropout',
  batchnorm: 'batchnorm',
  pad32: 'pad32',
};

/** A config field name from its flag spelling or its camelCase name; undefined if unknown. */
export function fieldOfFlag(flag: string): keyof ExperimentConfig | undefined {
  for (const k of Object.keys(FLAG_OF) as (keyof ExperimentConfig)[]) if (FLAG_OF[k] === flag || k === flag) return k;
  return undefined;
}

/** The run's name: NAME_L{L}_K{K1}-{K2}… (e.g. exp1_1_L2_K32). */
export function runName(cfg: Pick<ExperimentConfig, 'name' | 'L' | 'K'>): string {
  return `${cfg.name}_L${cfg.L}_K${cfg.K.join('-')}`;
}

/** The per-layer channel list: each K entry repeated L times. */
export function expandChannels(K: readonly number[], L: number): number[] {
  return K.flatMap((k) => Array<number>(L).fill(k));
}

const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop'];
const DATASETS = ['fashion-mnist', 'mnist', 'cifar10'];

function bad(where: string, msg: string): never {
  throw new TsgradError(`${where}: ${msg}`);
}

function posInt(where: string, key: string, v: unknown, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) bad(where, `${key} must be an integer >= ${allowZero ? 0 : 1}, got ${JSON.stringify(v)}`);
  return v;
}

function num(where: string, key: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(where, `${key} must be a number >= 0, got ${JSON.stringify(v)}`);
  return v;
}

function intList(where: string, key: string, v: unknown, allowEmpty: boolean): number[] {
  const arr = typeof v === 'number' ? [v] : allowEmpty && v === 'none' ? [] : v;
  if (!Array.isArray(arr) || (!allowEmpty && arr.length === 0)) bad(where, `${key} must be a ${allowEmpty ? '' : 'non-empty '}list of positive integers, got ${JSON.stringify(v)}`);
  return arr.map((x) => posInt(where, key, x));
}

function nullableInt(where: string, key: string, v: unknown): number | null {
  return v === null || v === undefined || v === 'none' ? null : posInt(where, key, v);
}

/** Fills defaults into a partial config and checks every field; `where` names the source in errors. */
export function completeConfig(partial: Partial<ExperimentConfig> & Record<string, unknown>, where: string): ExperimentConfig {
  for (const key of Object.keys(partial)) if (!(key in FLAG_OF)) bad(where, `unknown field ${JSON.stringify(key)}; known: ${Object.values(FLAG_OF).join(', ')}`);
  // With a model file and no model name, the model is the file's default export.
  const c = { ...DEFAULT_CONFIG, ...(partial.modelFile != null && partial.model === undefined ? { model: 'file' } : {}), ...partial } as ExperimentConfig & Record<string, unknown>;
  const modelFile = c.modelFile === null || c.modelFile === undefined || c.modelFile === 'none' ? null : String(c.modelFile);
  if (typeof c.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(c.name)) bad(where, `name must be letters, digits, _ . or -, got ${JSON.stringify(c.name)}`);
  if (typeof c.model !== 'string' || !/^[A-Za-z][A-Za-z0-9_.-]*$/.test(c.model)) bad(where, `model must be a name, got ${JSON.stringify(c.model)}`);
  if (modelFile === null && !(MODEL_KINDS as readonly string[]).includes(c.model) && !isRegistered(c.model)) bad(where, `model must be one of ${MODEL_KINDS.join('|')} or a model that --model-file defines, got ${JSON.stringify(c.model)}`);
  if (!OPTIMIZERS.includes(c.optimizer)) bad(where, `optimizer must be one of ${OPTIMIZERS.join('|')}, got ${JSON.stringify(c.optimizer)}`);
  if (!DATASETS.includes(c.dataset)) bad(where, `dataset must be one of ${DATASETS.join('|')}, got ${JSON.stringify(c.dataset)}`);
  if (c.pooling !== 'max' && c.pooling !== 'avg') bad(where, `pooling must be max|avg, got ${JSON.stringify(c.pooling)}`);
  const out: ExperimentConfig = {
    name: c.name,
    model: c.model,
    // Absolute, so that sweep runs started elsewhere (Slurm) find the file; a #export suffix is kept.
    modelFile: modelFile === null ? null : modelFile.replace(/^[^#]+/, (f) => resolvePath(f)),
    K: intList(where, 'K', c.K, false),
    L: posInt(where, 'L', c.L),
    P: posInt(where, 'P', c.P),
    H: intList(where, 'H', c.H, true),
    bsTrain: posInt(where, 'bs-train', c.bsTrain),
    bsTest: posInt(where, 'bs-test', c.bsTest),
    epochs: posInt(where, 'epochs', c.epochs),
    earlyStopping: nullableInt(where, 'early-stopping', c.earlyStopping),
    lr: num(where, 'lr', c.lr),
    reg: num(where, 'reg', c.reg),
    optimizer: c.optimizer,
    momentum: num(where, 'momentum', c.momentum),
    seed: posInt(where, 'seed', c.seed, true),
    valSplit: num(where, 'val-split', c.valSplit),
    subsetTrain: nullableInt(where, 'subset-train', c.subsetTrain),
    subsetTest: nullableInt(where, 'subset-test', c.subsetTest),
    dataset: c.dataset,
    dataDir: c.dataDir === null || c.dataDir === undefined || c.dataDir === 'none' ? null : String(c.dataDir),
    bottleneck: Boolean(c.bottleneck),
    activation: String(c.activation),
    pooling: c.pooling,
    dropout: num(where, 'dropout', c.dropout),
    batchnorm: Boolean(c.batchnorm),
    pad32: Boolean(c.pad32),
  };
  if (out.dropout >= 1) bad(where, `dropout must be in [0, 1), got ${out.dropout}`);
  if (out.valSplit >= 1) bad(where, `val-split must be in [0, 1), got ${out.valSplit}`);
  return out;
}

/** The run-exp arguments that reproduce a config (every field spelled out, so defaults may change safely). */
export function configToArgs(cfg: ExperimentConfig): string[] {
  const args: string[] = [];
  for (const key of Object.keys(FLAG_OF) as (keyof ExperimentConfig)[]) {
    const flag = key === 'name' ? '-n' : key.length === 1 ? `-${key}` : `--${FLAG_OF[key]}`;
    const v = cfg[key];
    if (v === null) {
      args.push(flag, 'none');
      continue;
    }
    if (typeof v === 'boolean') {
      if (v) args.push(flag);
    } else if (Array.isArray(v)) {
      if (v.length === 0) args.push(flag, 'none');
      else args.push(flag, ...v.map(String));
    } else args.push(flag, String(v));
  }
  return args;
}
