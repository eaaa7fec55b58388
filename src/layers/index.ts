/**
 * Hand-derived backprop: layers with explicit forward and backward passes on
 * ordinary tensors, autograd off (`import * as layers from 'tsgrad/layers'`).
 */
import '../backend/ref/index.js';
import '../ops/index.js';

export { LayerError } from './errors.js';
export { Layer, type NamedTensors } from './layer.js';
export { Linear, type LinearOptions } from './linear.js';
export { ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softmax } from './activations.js';
export { Dropout } from './dropout.js';
export { Flatten } from './flatten.js';
export { Sequential } from './sequential.js';
export { MLP, makeActivation, type MLPOptions, type ActivationSpec } from './mlp.js';
export { Loss, CrossEntropyLoss, CategoricalCrossEntropy, MSELoss, SumSquaredError, type Reduction } from './losses.js';
export { SGD, sgdStep, type SGDOptions, type HasParams } from './sgd.js';
export { LayerOptimizer, MomentumSGD, RMSProp, Adam, type LayerOptimizerState, type MomentumSGDOptions, type RMSPropOptions, type AdamOptions } from './optimizers.js';
export { accuracy } from './metrics.js';
