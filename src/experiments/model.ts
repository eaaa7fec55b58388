import { ConvClassifier } from '../models/conv-classifier.js';
import { ConvNet } from '../models/convnet.js';
import { CustomNet } from '../models/custom.js';
import { ResNetClassifier } from '../models/resnet.js';
import type { ActivationName } from '../models/common.js';
import type { Module } from '../nn/module.js';
import { type ExperimentConfig, expandChannels } from './config.js';

/** Builds the config's model for inputs [C, H, W] and the given number of classes. */
export function buildModel(cfg: ExperimentConfig, inSize: readonly number[], numClasses: number): Module {
  const channels = expandChannels(cfg.K, cfg.L);
  const activation = cfg.activation as ActivationName;
  switch (cfg.model) {
    case 'cnn':
      return new ConvClassifier(inSize, numClasses, channels, cfg.P, cfg.H, { activation, pooling: cfg.pooling });
    case 'resnet':
      return new ResNetClassifier(inSize, numClasses, channels, cfg.P, cfg.H, { activation, pooling: cfg.pooling, batchnorm: cfg.batchnorm, dropout: cfg.dropout, bottleneck: cfg.bottleneck });
    case 'convnet':
      return new ConvNet({ inChannels: inSize[0], numClasses });
    case 'custom':
      return new CustomNet(inSize, numClasses, cfg.K, cfg.L, cfg.H, { dropout: cfg.dropout });
  }
}
