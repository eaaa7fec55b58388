/**
 * Fine-tuning a pretrained network on one of the course's datasets: load the weights, replace the
 * classification head, adapt the images (grayscale repeated to 3 channels, resized and normalised
 * as the weights expect), then either train only the head on features of the frozen backbone
 * (`freeze: 'backbone'`) or train everything with a smaller learning rate for the backbone.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import { manualSeed } from '../core/rng.js';
import { loadDataset, type DatasetName } from '../data/datasets.js';
import { saveStateDict } from '../io/state-dict.js';
import { Identity, Linear } from '../nn/layers/linear.js';
import { crossEntropy } from '../nn/functional.js';
import { freeze, unfreeze, paramGroups, replaceModule, trainableParameters } from '../nn/finetune.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { cat, indexSelect } from '../ops/indexing.js';
import { argmax } from '../ops/reduce.js';
import * as tv from '../models/torchvision/index.js';
import { buildCnn } from './models.js';

/** Architectures `finetune` can adapt: the torchvision ones and the zoo's small MNIST CNN. */
export const FINETUNE_ARCHS = ['resnet18', 'resnet34', 'resnet50', 'vgg11_bn', 'vgg16_bn', 'mobilenet_v2', 'cnn'] as const;
export type FinetuneArch = (typeof FINETUNE_ARCHS)[number];

/** A fine-tuning run. */
export interface FinetuneConfig {
  arch: FinetuneArch;
  /** A .pth / .safetensors state dict, or a torchvision weights name (IMAGENET1K_V1, DEFAULT); absent = from scratch. */
  weights?: string;
  dataset: DatasetName;
  freeze: 'backbone' | 'none';
  epochs: number;
  /** Learning rate of the head (default 1e-3). */
  lr?: number;
  /** Learning rate of the backbone when it is not frozen (default lr / 10). */
  backboneLr?: number;
  batchSize?: number;
  limitTrain?: number;
  limitTest?: number;
  /** Image side the torchvision networks get (default the weights' crop, 224). */
  size?: number;
  seed?: number;
  dataDir?: string;
  /** Folder for model.safetensors and finetune.json (nothing saved when absent). */
  out?: string;
  log?: (line: string) => void;
}

/** What a run measured. */
export interface FinetuneResult {
  arch: FinetuneArch;
  weights: string | null;
  freeze: 'backbone' | 'none';
  trainImages: number;
  testImages: number;
  trainableParameters: number;
  totalParameters: number;
  epochs: { epoch: number; trainLoss: number; trainAccuracy: number; testAccuracy: number; seconds: number }[];
  testAccuracy: number;
}

const HEADS: Record<FinetuneArch, string> = {
  resnet18: 'fc', resnet34: 'fc', resnet50: 'fc', vgg11_bn: 'classifier.6', vgg16_bn: 'classifier.6', mobilenet_v2: 'classifier.1', cnn: '9',
};

/**
 * Builds the architecture and loads the weights, all but the head (replaced anyway, so a checkpoint
 * fine-tuned to another number of classes loads too); every other name must match.
 */
async function buildPretrained(cfg: FinetuneConfig, headPath: string): Promise<Module> {
  const m = cfg.arch === 'cnn' ? buildCnn([1, 28, 28], 10) : (tv[cfg.arch] as (o?: object) => Module)();
  if (!cfg.weights) return m;
  const isName = /^(IMAGENET1K_V\d|DEFAULT)$/.test(cfg.weights);
  if (isName && cfg.arch === 'cnn') throw new TsgradError('finetune: the cnn has no published weights; give a .pth or .safetensors file');
  const path = isName ? await tv.fetchWeights(tv.weightsEntry(cfg.arch, cfg.weights as tv.WeightsName)) : cfg.weights;
  const sd = new Map([...tv.readStateDictFile(path)].filter(([k]) => !k.startsWith(`${headPath}.`)));
  const r = m.loadStateDict(sd, { strict: false });
  const missing = r.missingKeys.filter((k) => !k.startsWith(`${headPath}.`));
  if (missing.length || r.unexpectedKeys.length) {
    throw new TsgradError(`finetune: ${path} does not fit ${cfg.arch}: missing ${missing.slice(0, 5).join(', ') || 'none'}${missing.length > 5 ? ', ...' : ''}; unexpected ${r.unexpectedKeys.slice(0, 5).join(', ') || 'none'}${r.unexpectedKeys.length > 5 ? ', ...' : ''}`);
  }
  return m;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, rand: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

function rows(x: Tensor, idx: Int32Array | number[]): Tensor {
  return indexSelect(x, 0, Tensor.fromStorage(Int32Array.from(idx), 'int32', [idx.length]));
}

/** Loads weights, replaces the head, trains and evaluates as `cfg` says; saves into cfg.out when given. */
export async function finetune(cfg: FinetuneConfig): Promise<FinetuneResult> {
  const log = cfg.log ?? (() => {});
  const seed = cfg.seed ?? 0;
  const bs = cfg.batchSize ?? 64;
  const headLr = cfg.lr ?? 1e-3;
  manualSeed(seed);
  const loadOpts = { ...(cfg.dataDir !== undefined ? { dataDir: cfg.dataDir } : {}), onNotice: log };
  const train = await loadDataset(cfg.dataset, 'train', loadOpts);
  const test = await loadDataset(cfg.dataset, 'test', loadOpts);
  const take = (d: { images: Tensor; labels: Tensor }, n?: number): { images: Tensor; labels: Tensor } =>
    n === undefined || n >= d.images.shape[0]! ? d : { images: d.images.narrow(0, 0, n), labels: d.labels.narrow(0, 0, n) };
  const tr = take(train, cfg.limitTrain);
  const te = take(test, cfg.limitTest);
  const numClasses = train.classes.length;
  const [c, h, w] = tr.images.shape.slice(1) as [number, number, number];
  if (cfg.arch === 'cnn' && (c !== 1 || h !== 28 || w !== 28)) throw new TsgradError(`finetune: the cnn takes 1x28x28 images, ${cfg.dataset} has ${c}x${h}x${w}`);

  const headPath = HEADS[cfg.arch];
  const model = await buildPretrained(cfg, headPath);
  const oldHead = model.getSubmodule(headPath);
  if (!(oldHead instanceof Linear)) throw new TsgradError(`finetune: ${cfg.arch}'s head ${headPath} is not a Linear layer`);
  const head = new Linear(oldHead.inFeatures, numClasses);
  replaceModule(model, headPath, head);

  // The weights' expected input: torchvision networks get 3 channels, the side they were trained at, ImageNet statistics.
  const size = cfg.size ?? 224;
  const entry = cfg.arch !== 'cnn' ? tv.weightsEntry(cfg.arch, 'IMAGENET1K_V1') : null;
  const prep = (x: Tensor): Tensor => {
    if (!entry) return x;
    return tv.imagenetPreprocess(x, { resize: size, crop: size, mean: entry.mean, std: entry.std });
  };

  if (cfg.freeze === 'backbone') {
    freeze(model, '*');
    unfreeze(model, headPath);
  }
  const trainable = trainableParameters(model).reduce((s, p) => s + p.numel(), 0);
  const total = model.numParameters();
  log(`${cfg.arch}${cfg.weights ? ` from ${cfg.weights}` : ' from scratch'}: ${cfg.dataset}, ${tr.images.shape[0]} training and ${te.images.shape[0]} test images, ` +
    `${entry ? `resized to ${size}x${size}, 3 channels, ImageNet mean/std` : '28x28 as is'}; ${trainable} of ${total} parameters trained (${cfg.freeze === 'backbone' ? 'backbone frozen' : 'all'})`);

  const evalBatches = (net: Module, x: Tensor, f: (t: Tensor) => Tensor = prep): Tensor => {
    net.eval();
    const outs: Tensor[] = [];
    noGrad(() => {
      for (let i = 0; i < x.shape[0]!; i += bs) outs.push(net.forward(f(x.narrow(0, i, Math.min(bs, x.shape[0]! - i)))));
    });
    return cat(outs, 0);
  };
  const accuracy = (logits: Tensor, labels: Tensor): number => {
    const p = argmax(logits, 1).toTypedArray();
    const y = labels.toTypedArray();
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === y[i]) ok++;
    return ok / p.length;
  };

  // A frozen backbone (in eval mode: its batch-norm statistics stay the pretrained ones) is run once;
  // the head then trains on the features.
  let trainX = tr.images;
  let testX = te.images;
  let net: Module = model;
  let batchPrep = prep;
  if (cfg.freeze === 'backbone') {
    replaceModule(model, headPath, new Identity());
    const t0 = performance.now();
    trainX = evalBatches(model, tr.images);
    testX = evalBatches(model, te.images);
    replaceModule(model, headPath, head);
    log(`features of the frozen backbone: ${trainX.shape[1]} per image, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    net = head;
    batchPrep = (x) => x;
  }
  const groups = cfg.freeze === 'backbone'
    ? [{ params: trainableParameters(head), lr: headLr }]
    : paramGroups<{ lr: number }>(model, [{ match: headPath, lr: headLr }, { lr: cfg.backboneLr ?? headLr / 10 }]);
  const opt = new Adam(groups, { lr: headLr });
  const rand = mulberry32(seed + 1);
  const result: FinetuneResult = {
    arch: cfg.arch, weights: cfg.weights ?? null, freeze: cfg.freeze, trainImages: tr.images.shape[0]!, testImages: te.images.shape[0]!,
    trainableParameters: trainable, totalParameters: total, epochs: [], testAccuracy: NaN,
  };
  for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
    const t0 = performance.now();
    net.train();
    const order = shuffled(trainX.shape[0]!, rand);
    let lossSum = 0;
    let correct = 0;
    for (let i = 0; i < order.length; i += bs) {
      const idx = order.subarray(i, Math.min(order.length, i + bs));
      const x = batchPrep(rows(trainX, idx));
      const y = rows(tr.labels, idx);
      const logits = net.forward(x);
      const loss = crossEntropy(logits, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      lossSum += loss.item() * idx.length;
      correct += accuracy(logits.detach(), y) * idx.length;
    }
    const testLogits = cfg.freeze === 'backbone' ? evalBatches(head, testX, (t) => t) : evalBatches(model, testX);
    const acc = accuracy(testLogits, te.labels);
    const e = { epoch, trainLoss: lossSum / order.length, trainAccuracy: correct / order.length, testAccuracy: acc, seconds: (performance.now() - t0) / 1000 };
    result.epochs.push(e);
    log(`epoch ${epoch}/${cfg.epochs}: train loss ${e.trainLoss.toFixed(4)}, train acc ${(100 * e.trainAccuracy).toFixed(2)}%, test acc ${(100 * acc).toFixed(2)}% (${e.seconds.toFixed(1)} s)`);
  }
  result.testAccuracy = result.epochs.at(-1)?.testAccuracy ?? accuracy(evalBatches(model, testX), te.labels);
  if (cfg.out) {
    mkdirSync(cfg.out, { recursive: true });
    saveStateDict(join(cfg.out, 'model.safetensors'), model, { arch: cfg.arch, num_classes: String(numClasses) });
    writeFileSync(join(cfg.out, 'finetune.json'), `${JSON.stringify({ config: { ...cfg, log: undefined }, result }, null, 2)}\n`);
  }
  return result;
}
