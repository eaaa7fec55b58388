/**
 * tsgrad.nn: Module and Parameter, layers, losses, initialisers, and the
 * functional namespace (`nn.functional`, also exported as `F`).
 */
export { Parameter } from './parameter.js';
export { Module, StateDictError, type StateDict, type LoadStateDictOptions, type LoadStateDictResult, type ForwardHook, type ForwardPreHook, type HookHandle } from './module.js';
export { summary, summaryRows, type SummaryRow } from './summary.js';
export { Linear, Identity, type LinearOptions } from './layers/linear.js';
export { Conv2d, type Conv2dLayerOptions } from './layers/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, type PoolOptions } from './layers/pooling.js';
export { BatchNormBase, BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions, type NormImpl } from './layers/normalization.js';
export { Dropout } from './layers/dropout.js';
export { Embedding, GroupNorm, Conv1d, type GroupNormOptions, type Conv1dOptions } from './layers/extra.js';
export { Flatten, Unflatten } from './layers/flatten.js';
export { Sequential, ModuleList } from './layers/container.js';
export { GELUFunction } from './gelu.js';
export { ReLU, LeakyReLU, ELU, GELU, Sigmoid, Tanh, SiLU, Softplus, Softmax, LogSoftmax } from './layers/activation.js';
export { ReLU6 } from './layers/relu6.js';
export { CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss } from './layers/loss.js';
export type { LayerOptions } from './layers/options.js';
export { LayerNormFunction, BatchNormFunction, layerNormFunction, batchNormFunction, fusedLayerNorm, fusedBatchNorm } from './fused-norms.js';
export * as init from './init.js';
export * as functional from './functional.js';
export * as F from './functional.js';
export * as utils from './utils.js';
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './utils.js';
export { freeze, unfreeze, trainableParameters, replaceModule, paramGroups, matchesName, type NamePattern, type GroupRule } from './finetune.js';
