import { TsgradError } from '../core/errors.js';
import { isRegistered, registeredModels } from '../models/registry.js';
import type { Module } from '../nn/module.js';
import { parseModelFileArg } from '../train/model-file.js';
import { buildModel as buildFromConfig, type ModelConfig } from '../train/models.js';
import { MODEL_KINDS, type ExperimentConfig } from './config.js';

/** The registry name each built-in experiment model kind is built by. */
const REGISTRY_NAME = { cnn: 'conv-classifier', resnet: 'resnet-classifier', convnet: 'preact-convnet', custom: 'custom-net' } as const;

/** The factory options an experiment config gives (its architecture fields). */
export function modelOptions(cfg: ExperimentConfig): Record<string, unknown> {
  const { K, L, P, H, activation, pooling, dropout, batchnorm, bottleneck } = cfg;
  return { K, L, P, H, activation, pooling, dropout, batchnorm, bottleneck };
}

/**
 * How to rebuild the config's model, as saved in model.json: a built-in kind maps to its registry
 * name, a model file is recorded by absolute path and export, a registered name as itself.
 */
export function experimentModelConfig(cfg: ExperimentConfig, inSize: readonly number[], numClasses: number): ModelConfig {
  const inputShape = [...inSize] as [number, number, number];
  const options = modelOptions(cfg);
  if (cfg.modelFile !== null) return { model: cfg.model, inputShape, numClasses, options, file: parseModelFileArg(cfg.modelFile) };
  if ((MODEL_KINDS as readonly string[]).includes(cfg.model)) return { model: REGISTRY_NAME[cfg.model as keyof typeof REGISTRY_NAME], inputShape, numClasses, options };
  if (isRegistered(cfg.model)) return { model: cfg.model, inputShape, numClasses, options };
  throw new TsgradError(`run-exp: unknown model ${JSON.stringify(cfg.model)}; expected ${MODEL_KINDS.join('|')}, a registered model (${registeredModels().join(', ')}), or --model-file FILE.js`);
}

/** Builds the config's model for inputs [C, H, W] and the given number of classes (a model file must be imported first). */
export function buildModel(cfg: ExperimentConfig, inSize: readonly number[], numClasses: number): Module {
  return buildFromConfig(experimentModelConfig(cfg, inSize, numClasses));
}
