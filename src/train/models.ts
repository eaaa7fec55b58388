import { ConvNet } from '../models/convnet.js';
import { Sequential } from '../nn/layers/container.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Dropout } from '../nn/layers/dropout.js';
import { Flatten } from '../nn/layers/flatten.js';
import { Linear } from '../nn/layers/linear.js';
import { MaxPool2d } from '../nn/layers/pooling.js';
import { ReLU } from '../nn/layers/activation.js';
import type { Module } from '../nn/module.js';
import { create, isRegistered, registeredModels } from '../models/registry.js';
import { buildFromModelFile, type ModelFileRef } from './model-file.js';

/** Names of the built-in models `tsgrad train` builds (others come from the registry or a model file). */
export const MODEL_NAMES = ['mlp', 'cnn', 'convnet', 'resnet', 'custom'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Everything needed to rebuild a model (saved beside its weights as model.json). */
export interface ModelConfig {
  /** A built-in (MODEL_NAMES), a name registered with tg.models.register, or 'file' (the factory in `file`). */
  model: ModelName | (string & {});
  /** Input [C, H, W] the model takes (images are resized/padded to it). */
  inputShape: [number, number, number];
  numClasses: number;
  /** Hidden widths of the MLP. */
  hidden?: number[];
  /** Dropout probability before each hidden→next layer (0: none). */
  dropout?: number;
  /** Options passed to a registered or file factory (and to resnet/custom: K, L, P, H, …). */
  options?: Record<string, unknown>;
  /** The JS file defining the model (imported before building). */
  file?: ModelFileRef;
}

/**
 * MLP: flatten → (Linear → ReLU → Dropout?) per hidden width → Linear to the classes.
 * For 28×28 inputs and the default widths: 784 → 256 → 128 → 10 (235,146 parameters).
 */
export function buildMlp(inputShape: readonly number[], numClasses: number, hidden: readonly number[] = [256, 128], dropout = 0): Sequential {
  const layers: Module[] = [new Flatten()];
  let prev = inputShape.reduce((a, b) => a * b, 1);
  for (const h of hidden) {
    layers.push(new Linear(prev, h), new ReLU());
    if (dropout > 0) layers.push(new Dropout(dropout));
    prev = h;
  }
  layers.push(new Linear(prev, numClasses));
  return new Sequential(...layers);
}

/**
 * A small CNN (the classic two-conv MNIST net, slimmed):
 * conv 5×5 C→16 (pad 2) → ReLU → maxpool 2 → conv 5×5 16→32 (pad 2) → ReLU → maxpool 2 →
 * flatten → Linear(32·H/4·W/4 → 128) → ReLU → Dropout? → Linear(128 → classes).
 * For 1×28×28 inputs: 206,922 parameters.
 */
export function buildCnn(inputShape: readonly number[], numClasses: number, dropout = 0): Sequential {
  const [c, h, w] = inputShape as [number, number, number];
  if (h % 4 !== 0 || w % 4 !== 0) throw new RangeError(`buildCnn: input height and width must be multiples of 4, got ${h}×${w}`);
  const layers: Module[] = [
    new Conv2d(c, 16, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 5, { padding: 2 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(32 * (h / 4) * (w / 4), 128),
    new ReLU(),
  ];
  if (dropout > 0) layers.push(new Dropout(dropout));
  layers.push(new Linear(128, numClasses));
  return new Sequential(...layers);
}

/** The input shape a model takes for images of shape [C, H, W]: ConvNet needs 32×32 (28×28 is padded). */
export function modelInputShape(model: string, imageShape: readonly number[]): [number, number, number] {
  const [c, h, w] = imageShape as [number, number, number];
  if (model === 'convnet') {
    if (h > 32 || w > 32) throw new RangeError(`convnet: takes images up to 32×32, got ${h}×${w}`);
    return [c, 32, 32];
  }
  return [c, h, w];
}

/** Whether `model` is a built-in name of `tsgrad train`. */
export function isBuiltinModel(model: string): model is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(model);
}

/**
 * Builds the model a config describes (fresh weights from the default generator): a built-in, a
 * model from a file (importModelFile must have loaded it), or a registered model.
 */
export function buildModel(cfg: ModelConfig): Module {
  const spec = { inputShape: cfg.inputShape, numClasses: cfg.numClasses, options: { ...(cfg.dropout ? { dropout: cfg.dropout } : {}), ...cfg.options } };
  if (cfg.file) return buildFromModelFile(cfg.file, cfg.model === 'file' ? undefined : cfg.model, spec);
  switch (cfg.model) {
    case 'mlp':
      return buildMlp(cfg.inputShape, cfg.numClasses, cfg.hidden ?? [256, 128], cfg.dropout ?? 0);
    case 'cnn':
      return buildCnn(cfg.inputShape, cfg.numClasses, cfg.dropout ?? 0);
    case 'convnet':
      if (cfg.inputShape[1] !== 32 || cfg.inputShape[2] !== 32) throw new RangeError(`convnet: input must be 32×32, got ${cfg.inputShape.join('×')}`);
      return new ConvNet({ inChannels: cfg.inputShape[0], numClasses: cfg.numClasses });
    case 'resnet':
      return create('resnet-classifier', cfg.inputShape, cfg.numClasses, spec.options);
    case 'custom':
      return create('custom-net', cfg.inputShape, cfg.numClasses, spec.options);
  }
  if (isRegistered(cfg.model)) return create(cfg.model, cfg.inputShape, cfg.numClasses, spec.options);
  throw new TypeError(`buildModel: unknown model ${JSON.stringify(cfg.model)}; expected one of ${MODEL_NAMES.join(', ')}, a registered model (${registeredModels().join(', ')}), or a model file`);
}
