import { TsgradError } from '../core/errors.js';
import { Module } from '../nn/module.js';
import type { ActivationName, PoolingName } from './common.js';
import { ConvClassifier } from './conv-classifier.js';
import { ConvNet } from './convnet.js';
import { CustomNet } from './custom.js';
import { ResNetClassifier } from './resnet.js';

/** What a model factory is given: the input [C, H, W], the number of classes, and free-form options. */
export interface ModelSpec {
  inputShape: readonly [number, number, number];
  numClasses: number;
  /** Options from the caller (JSON values: they are saved in model.json to rebuild the model). */
  options: Readonly<Record<string, unknown>>;
}

/** Builds a fresh model (weights from the default generator) for a spec. */
export type ModelFactory = (spec: ModelSpec) => Module;

/** A model name that is not registered, or a factory that did not return a Module. */
export class ModelRegistryError extends TsgradError {
  override name = 'ModelRegistryError';
}

// Kept on globalThis so that a model file importing another copy of tsgrad registers into the same table.
const KEY = Symbol.for('tsgrad.models.registry');
type Table = Map<string, ModelFactory>;
const holder = globalThis as unknown as Record<symbol, Table | undefined>;
const table: Table = holder[KEY] ?? (holder[KEY] = new Map());

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Registers a model factory under `name` (letters, digits, _ . -); registering a taken name throws unless `replace` is set. */
export function register(name: string, factory: ModelFactory, opts: { replace?: boolean } = {}): void {
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw new ModelRegistryError(`models.register: name must start with a letter and hold letters, digits, _ . or -, got ${JSON.stringify(name)}`);
  if (typeof factory !== 'function') throw new ModelRegistryError(`models.register(${JSON.stringify(name)}): factory must be a function (spec) => Module, got ${typeof factory}`);
  if (table.has(name) && !opts.replace) throw new ModelRegistryError(`models.register: ${JSON.stringify(name)} is already registered (pass { replace: true } to replace it)`);
  table.set(name, factory);
}

/** Removes a registered model; returns whether it was there. */
export function unregister(name: string): boolean {
  return table.delete(name);
}

/** Whether `name` is registered. */
export function isRegistered(name: string): boolean {
  return table.has(name);
}

/** The registered names, sorted. */
export function registeredModels(): string[] {
  return [...table.keys()].sort();
}

/** Calls a factory and checks that it returned a Module; `what` names the factory in errors. */
export function callFactory(factory: ModelFactory, spec: ModelSpec, what: string): Module {
  const m = factory({ inputShape: spec.inputShape, numClasses: spec.numClasses, options: spec.options ?? {} });
  if (!(m instanceof Module)) {
    const got = m === null ? 'null' : typeof m === 'object' ? (m as object).constructor?.name ?? 'an object' : typeof m;
    throw new ModelRegistryError(`${what} returned ${got}, expected an nn.Module (a class extending tg.nn.Module; a different copy of tsgrad than the one running makes instanceof fail)`);
  }
  return m;
}

/** Builds the model registered as `name` for the given input shape, classes and options. */
export function create(name: string, inputShape: readonly number[], numClasses: number, options: Readonly<Record<string, unknown>> = {}): Module {
  const f = table.get(name);
  if (!f) throw new ModelRegistryError(`models.create: no model registered as ${JSON.stringify(name)}; registered: ${registeredModels().join(', ') || 'none'}`);
  if (inputShape.length !== 3 || !inputShape.every((v) => Number.isInteger(v) && v > 0)) throw new ModelRegistryError(`models.create(${JSON.stringify(name)}): inputShape must be [C, H, W] positive integers, got [${inputShape.join(', ')}]`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ModelRegistryError(`models.create(${JSON.stringify(name)}): numClasses must be a positive integer, got ${numClasses}`);
  return callFactory(f, { inputShape: inputShape as [number, number, number], numClasses, options }, `the factory of ${JSON.stringify(name)}`);
}

function opt<T>(o: Readonly<Record<string, unknown>>, key: string, fallback: T, check: (v: unknown) => boolean, expected: string, where: string): T {
  const v = o[key];
  if (v === undefined) return fallback;
  if (!check(v)) throw new ModelRegistryError(`${where}: option ${key} must be ${expected}, got ${JSON.stringify(v)}`);
  return v as T;
}
const isIntList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => Number.isInteger(x) && (x as number) > 0);
const isPosInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const isProb = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v < 1;

/** The options the built-in zoo factories read (K channels per stage, L convs per entry, P, H head widths, …). */
function zooOptions(o: Readonly<Record<string, unknown>>, where: string) {
  const K = opt<number[]>(o, 'K', [32, 64], (v) => isIntList(v) && (v as number[]).length > 0, 'a non-empty list of positive integers', where);
  const L = opt(o, 'L', 2, isPosInt, 'a positive integer', where);
  return {
    K,
    L,
    channels: K.flatMap((k) => Array<number>(L).fill(k)),
    P: opt(o, 'P', 2, isPosInt, 'a positive integer', where),
    H: opt<number[]>(o, 'H', [100], isIntList, 'a list of positive integers', where),
    activation: opt<ActivationName>(o, 'activation', 'relu', (v) => ['relu', 'lrelu', 'elu', 'tanh'].includes(v as string), 'relu|lrelu|elu|tanh', where),
    pooling: opt<PoolingName>(o, 'pooling', 'max', (v) => v === 'max' || v === 'avg', 'max|avg', where),
    dropout: opt(o, 'dropout', 0, isProb, 'a number in [0, 1)', where),
    batchnorm: opt(o, 'batchnorm', true, (v) => typeof v === 'boolean', 'true or false', where),
    bottleneck: opt(o, 'bottleneck', false, (v) => typeof v === 'boolean', 'true or false', where),
  };
}

// The zoo, registered under fixed names (options: K, L, P, H, activation, pooling, dropout, batchnorm, bottleneck).
const BUILTIN: Record<string, ModelFactory> = {
  'conv-classifier': ({ inputShape, numClasses, options }) => {
    const o = zooOptions(options, 'conv-classifier');
    return new ConvClassifier(inputShape, numClasses, o.channels, o.P, o.H, { activation: o.activation, pooling: o.pooling });
  },
  'resnet-classifier': ({ inputShape, numClasses, options }) => {
    const o = zooOptions(options, 'resnet-classifier');
    return new ResNetClassifier(inputShape, numClasses, o.channels, o.P, o.H, { activation: o.activation, pooling: o.pooling, batchnorm: o.batchnorm, dropout: o.dropout, bottleneck: o.bottleneck });
  },
  'custom-net': ({ inputShape, numClasses, options }) => {
    const o = zooOptions(options, 'custom-net');
    return new CustomNet(inputShape, numClasses, o.K, o.L, o.H, { dropout: o.dropout });
  },
  'preact-convnet': ({ inputShape, numClasses }) => {
    if (inputShape[1] !== 32 || inputShape[2] !== 32) throw new ModelRegistryError(`preact-convnet: input must be 32×32, got ${inputShape.join('×')}`);
    return new ConvNet({ inChannels: inputShape[0], numClasses });
  },
};
for (const [n, f] of Object.entries(BUILTIN)) if (!table.has(n)) table.set(n, f);

/** The names of the built-in registered models. */
export const BUILTIN_MODELS: readonly string[] = Object.keys(BUILTIN);
