import { existsSync, statSync } from 'node:fs';
import { FINETUNE_ARCHS, finetune } from '../../train/finetune.js';
import { flag, flagsHelp, parseFlags } from '../args.js';
import { UsageError, type Command } from '../command.js';

/** Flags of `tsgrad finetune`. */
export const FINETUNE_FLAGS = {
  arch: flag.choice('architecture (torchvision names, or the zoo\'s small MNIST cnn)', FINETUNE_ARCHS, { default: 'resnet18' }),
  weights: flag.string('pretrained weights: a .pth / .safetensors file, or IMAGENET1K_V1 / DEFAULT (downloaded and cached); omit to train from scratch', { valueName: 'FILE' }),
  dataset: flag.choice('dataset', ['fashion-mnist', 'mnist', 'cifar10'] as const, { default: 'fashion-mnist' }),
  freeze: flag.choice('train only the new head on the frozen backbone, or everything', ['backbone', 'none'] as const, { default: 'backbone' }),
  epochs: flag.integer('epochs', { default: 5, min: 1 }),
  lr: flag.number('learning rate of the new head (Adam)', { default: 1e-3, min: 0, exclusiveMin: true }),
  'backbone-lr': flag.number('learning rate of the backbone with --freeze none (default lr/10)', { min: 0, exclusiveMin: true }),
  'batch-size': flag.integer('images per batch', { default: 64, min: 1 }),
  size: flag.integer('image side for the torchvision networks (the weights expect 224; smaller is faster)', { default: 224, min: 32 }),
  'limit-train': flag.integer('use only the first N training images', { min: 1, valueName: 'N' }),
  'limit-test': flag.integer('use only the first N test images', { min: 1, valueName: 'N' }),
  seed: flag.integer('seed of the new head, shuffling and dropout', { default: 0, min: 0 }),
  out: flag.string('folder for model.safetensors and finetune.json', { default: 'tsgrad-finetune', valueName: 'DIR' }),
  'data-dir': flag.string('data root (default $TSGRAD_DATA, else ~/.cache/tsgrad)', { valueName: 'DIR' }),
  json: flag.boolean('print the result as JSON'),
  quiet: flag.boolean('no progress lines', { short: 'q' }),
};

/** `tsgrad finetune`: transfer learning from pretrained weights onto a course dataset. */
export const finetuneCommand: Command = {
  name: 'finetune',
  summary: 'fine-tune pretrained weights (.pth, .safetensors or torchvision\'s) on a dataset with a new head',
  usage: `Usage: tsgrad finetune --arch ARCH [--weights FILE] --dataset NAME [options]

Replaces the classification head with one for the dataset's classes. Grayscale images are repeated
to 3 channels for the torchvision networks, resized to --size and normalised with ImageNet's mean
and std. --freeze backbone runs the pretrained backbone once (eval mode) and trains only the head on
its features; --freeze none trains everything (backbone at --backbone-lr). Reports test accuracy
per epoch and saves the model.

Options:
${flagsHelp(FINETUNE_FLAGS)}

Examples:
  tsgrad finetune --arch resnet18 --weights IMAGENET1K_V1 --dataset fashion-mnist --freeze backbone --epochs 3 --size 64
  tsgrad finetune --arch cnn --weights mnist_cnn.pth --dataset fashion-mnist --limit-train 1000
`,
  async run(argv) {
    const { values: v } = parseFlags('tsgrad finetune', argv, FINETUNE_FLAGS);
    if (v['data-dir'] !== undefined && !(existsSync(v['data-dir']) && statSync(v['data-dir']).isDirectory())) {
      throw new UsageError(`finetune: --data-dir ${v['data-dir']} does not exist or is not a folder`);
    }
    const w = v.weights;
    if (w !== undefined && !/^(IMAGENET1K_V\d|DEFAULT)$/.test(w) && !existsSync(w)) throw new UsageError(`finetune: --weights ${w} does not exist (a .pth / .safetensors file, or IMAGENET1K_V1 / DEFAULT)`);
    if (w !== undefined && v.arch === 'cnn' && !existsSync(w)) throw new UsageError('finetune: --arch cnn takes a weights file, not a torchvision name');
    const r = await finetune({
      arch: v.arch,
      ...(w !== undefined ? { weights: w } : {}),
      dataset: v.dataset,
      freeze: v.freeze,
      epochs: v.epochs,
      lr: v.lr,
      ...(v['backbone-lr'] !== undefined ? { backboneLr: v['backbone-lr'] } : {}),
      batchSize: v['batch-size'],
      size: v.size,
      ...(v['limit-train'] !== undefined ? { limitTrain: v['limit-train'] } : {}),
      ...(v['limit-test'] !== undefined ? { limitTest: v['limit-test'] } : {}),
      seed: v.seed,
      out: v.out,
      ...(v['data-dir'] !== undefined ? { dataDir: v['data-dir'] } : {}),
      log: v.quiet || v.json ? () => {} : (line) => process.stdout.write(`${line}\n`),
    });
    if (v.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stdout.write(`test accuracy ${(100 * r.testAccuracy).toFixed(2)}%; saved ${v.out}/model.safetensors and finetune.json\n`);
    return 0;
  },
};
