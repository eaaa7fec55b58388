/** tsgrad.optim: optimizers (each a pure update function plus a thin class) and learning-rate schedulers. */
export { Optimizer, stateBuffer, type ParamState, type ParamGroup, type ParamsArg, type OptimizerStateDict } from './optimizer.js';
export { SGD, sgdUpdate, type SGDOptions } from './sgd.js';
export { RMSprop, rmspropUpdate, type RMSpropOptions } from './rmsprop.js';
export { Adam, AdamW, adamUpdate, type AdamOptions } from './adam.js';
export { Adagrad, adagradUpdate, type AdagradOptions } from './adagrad.js';
export { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR, type OneCycleLROptions, type SchedulerStateDict } from './lr-scheduler.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type PlateauStateDict } from './plateau.js';
