/**
 * tsgrad.train: the training loop (Trainer), resumable checkpoints, progress display, the models
 * and recipes of `tsgrad train`, saved models, and evaluation/classification of saved models.
 */
export { Trainer, TrainingError, countCorrect, type TrainerOptions, type TrainerOptimizer, type TrainerScheduler, type LossFn, type BatchSource, type BatchResult, type EpochResult, type FitOptions, type FitResult } from './trainer.js';
export { saveCheckpoint, loadCheckpoint, listCheckpoints, cleanCheckpointDir, checkpointPaths, CheckpointError, type CheckpointState, type LoadedCheckpoint, type SaveCheckpointOptions } from './checkpoint.js';
export { encodeState, decodeState, type JsonValue } from './json-state.js';
export { createProgress, silentProgress, formatInfo, type ProgressReporter, type ProgressOptions, type ProgressMode, type ProgressInfo } from './progress.js';
export { buildMlp, buildCnn, buildModel, modelInputShape, isBuiltinModel, MODEL_NAMES, type ModelName, type ModelConfig } from './models.js';
export { OPTIMIZER_NAMES, DEFAULT_LR, makeOptimizer, type OptimizerName } from './optimizers.js';
export { saveModel, loadSavedModel, loadModel, importSavedModelFile, readModelMeta, SavedModelError, type SavedModelMeta, type LoadModelOptions } from './saved-model.js';
export { importModelFile, parseModelFileArg, buildFromModelFile, ModelFileError, type ModelFileRef } from './model-file.js';
export { evaluateSavedModel, classifyImages, type EvalReport, type EvalOptions, type Classification } from './evaluate.js';
export { LayerModule, isLayerModel, type LayerModel } from './layer-model.js';
export { trainMlpLayers, evaluateMlp, MLP_LAYERS_DEFAULTS, type MlpLayersConfig, type MlpLayersResult, type LabelledImages, type EvalPoint } from './mlp-layers.js';
export { confusionMatrix, addConfusion, classificationMetrics, classificationReport, formatConfusion, type ClassScores, type ClassificationMetrics } from './metrics.js';
export { readPngImage, resizePlane, ImageError } from './images.js';
export { channelStats, firstRows, padImages, normalizeImages } from './prepare.js';
export { runTraining, RunConfigError, type TrainConfig, type RunOptions, type RunOutput, type RunResults } from './run.js';
export { finetune, FINETUNE_ARCHS, type FinetuneArch, type FinetuneConfig, type FinetuneResult } from './finetune.js';
