import { ShapeError, fmtShape } from '../core/errors.js';
import { Generator } from '../core/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { indexSelect } from '../ops/indexing.js';
import { reshape, narrow } from '../ops/shape.js';
import { Adam, CrossEntropyLoss, LayerError, MLP, MomentumSGD, RMSProp, accuracy, sgdStep } from '../layers/index.js';

/** The recipe of the classic MLP exercise (defaults of `tsgrad train-mlp-layers`). */
export interface MlpLayersConfig {
  /** Widths of the hidden layers (ELU after each); [] is softmax regression. */
  hiddenUnits: number[];
  learningRate: number;
  maxSteps: number;
  batchSize: number;
  /** Evaluate on the whole test set every this many steps (and at step 0 and the last step). */
  evalFreq: number;
  /** Seeds the initialisation and the batch order. */
  seed: number;
  /** L2 penalty λ of the SGD step (default 0). */
  weightDecay?: number;
  /** Number of classes (default: the largest label + 1). */
  numClasses?: number;
  /**
   * The update rule over net.params()/net.grads(): plain 'sgd' (default), 'momentum' (SGD with
   * momentum 0.9), 'rmsprop' or 'adam' (tsgrad/layers' optimizers, PyTorch's rules).
   */
  optimizer?: MlpLayersOptimizer;
}

/** Optimizers trainMlpLayers can use. */
export type MlpLayersOptimizer = 'sgd' | 'momentum' | 'rmsprop' | 'adam';

/** The optimizer names, in the order help texts list them. */
export const MLP_LAYERS_OPTIMIZERS: readonly MlpLayersOptimizer[] = ['sgd', 'momentum', 'rmsprop', 'adam'];

/** A step function for the chosen optimizer over the model's params and grads. */
function makeStep(model: MLP, cfg: MlpLayersConfig): () => void {
  const lr = cfg.learningRate;
  const weightDecay = cfg.weightDecay ?? 0;
  switch (cfg.optimizer ?? 'sgd') {
    case 'sgd':
      return () => sgdStep(model, { lr, weightDecay });
    case 'momentum': {
      const o = new MomentumSGD(model, { lr, momentum: 0.9, weightDecay });
      return () => o.step();
    }
    case 'rmsprop': {
      const o = new RMSProp(model, { lr, weightDecay });
      return () => o.step();
    }
    case 'adam': {
      const o = new Adam(model, { lr, weightDecay });
      return () => o.step();
    }
    default:
      throw new LayerError(`trainMlpLayers: optimizer must be one of ${MLP_LAYERS_OPTIMIZERS.join(', ')}, got ${String(cfg.optimizer)}`);
  }
}

/** Images [N, ...] (flattened per sample) and int32 labels [N]. */
export interface LabelledImages {
  images: Tensor;
  labels: Tensor;
}

/** One evaluation on the whole test set. */
export interface EvalPoint {
  step: number;
  testLoss: number;
  testAccuracy: number;
  /** Mean batch loss and accuracy over the training steps since the previous evaluation (NaN at step 0). */
  trainLoss: number;
  trainAccuracy: number;
  /** Seconds since training started. */
  seconds: number;
}

/** What trainMlpLayers returns. */
export interface MlpLayersResult {
  model: MLP;
  /** Per training step (1..maxSteps): the batch loss and accuracy before the update. */
  trainLoss: number[];
  trainAccuracy: number[];
  evals: EvalPoint[];
  /** The last evaluation. */
  final: EvalPoint;
  trainSeconds: number;
}

/** The default recipe: one hidden layer of 100 ELU units, SGD at 2e-3, 1500 steps of 200. */
export const MLP_LAYERS_DEFAULTS: MlpLayersConfig = {
  hiddenUnits: [100],
  learningRate: 2e-3,
  maxSteps: 1500,
  batchSize: 200,
  evalFreq: 100,
  seed: 42,
  weightDecay: 0,
};

/** Flattens images [N, ...] to float32 [N, features]. */
function flatImages(d: LabelledImages, what: string): Tensor {
  const n = d.images.shape[0];
  if (d.images.ndim < 2 || n === undefined || d.labels.ndim !== 1 || d.labels.shape[0] !== n) {
    throw new ShapeError(`trainMlpLayers: ${what} images ${fmtShape(d.images.shape)} and labels ${fmtShape(d.labels.shape)} must be [N, ...] and [N]`);
  }
  return reshape(d.images, [n, -1]);
}

/** Mean cross-entropy and accuracy of the model on a whole split, in chunks (eval mode). */
export function evaluateMlp(model: MLP, x: Tensor, labels: Tensor, chunk = 2000): { loss: number; accuracy: number } {
  const n = x.shape[0]!;
  const ce = new CrossEntropyLoss('sum');
  let lossSum = 0;
  let correct = 0;
  const wasTraining = model.training;
  model.eval();
  for (let i = 0; i < n; i += chunk) {
    const len = Math.min(chunk, n - i);
    const logits = model.forward(narrow(x, 0, i, len));
    const y = narrow(labels, 0, i, len);
    lossSum += ce.forward(logits, y).item();
    correct += accuracy(logits, y) * len;
  }
  model.train(wasTraining);
  return { loss: lossSum / n, accuracy: correct / n };
}

/**
 * Trains MLP(features, hiddenUnits, classes, ELU) with SGD (or cfg.optimizer) on softmax
 * cross-entropy, using only hand-derived layers (autograd off). Batches are
 * drawn without replacement from a fresh seeded permutation each epoch; the
 * whole test set is evaluated at step 0, every evalFreq steps and at the end.
 */
export function trainMlpLayers(
  train: LabelledImages,
  test: LabelledImages,
  cfg: MlpLayersConfig,
  log: (line: string) => void = () => {},
): MlpLayersResult {
  const xTrain = flatImages(train, 'train');
  const xTest = flatImages(test, 'test');
  const nTrain = xTrain.shape[0]!;
  const features = xTrain.shape[1]!;
  if (xTest.shape[1] !== features) throw new ShapeError(`trainMlpLayers: train images have ${features} features but test images ${xTest.shape[1]}`);
  const numClasses = cfg.numClasses ?? Math.max(...Array.from(train.labels.toTypedArray()), ...Array.from(test.labels.toTypedArray())) + 1;
  if (cfg.batchSize > nTrain) throw new ShapeError(`trainMlpLayers: batch size ${cfg.batchSize} exceeds the ${nTrain} training images`);

  const model = new MLP(features, cfg.hiddenUnits, numClasses, { activation: 'elu', generator: new Generator(cfg.seed) });
  const order = new Generator(cfg.seed + 1);
  const ce = new CrossEntropyLoss();
  const step_ = makeStep(model, cfg);
  const trainLoss: number[] = [];
  const trainAccuracy: number[] = [];
  const evals: EvalPoint[] = [];
  const t0 = performance.now();

  const evaluate = (step: number): void => {
    const { loss, accuracy: acc } = evaluateMlp(model, xTest, test.labels);
    const since = trainLoss.slice(evals.length ? evals[evals.length - 1]!.step : 0);
    const sinceAcc = trainAccuracy.slice(evals.length ? evals[evals.length - 1]!.step : 0);
    const mean = (a: number[]): number => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
    const p: EvalPoint = { step, testLoss: loss, testAccuracy: acc, trainLoss: mean(since), trainAccuracy: mean(sinceAcc), seconds: (performance.now() - t0) / 1000 };
    evals.push(p);
    log(
      `step ${String(step).padStart(String(cfg.maxSteps).length)}/${cfg.maxSteps}  train loss ${p.trainLoss.toFixed(4)}  ` +
        `test loss ${loss.toFixed(4)}  test acc ${(100 * acc).toFixed(2)}%  (${p.seconds.toFixed(1)} s)`,
    );
  };

  evaluate(0);
  let perm = order.permutation(nTrain);
  let pos = 0;
  for (let step = 1; step <= cfg.maxSteps; step++) {
    if (pos + cfg.batchSize > nTrain) {
      perm = order.permutation(nTrain);
      pos = 0;
    }
    const idx = tensor(perm.subarray(pos, pos + cfg.batchSize), { dtype: 'int32' });
    pos += cfg.batchSize;
    const x = indexSelect(xTrain, 0, idx);
    const y = indexSelect(train.labels, 0, idx);
    const logits = model.forward(x);
    try {
      trainLoss.push(ce.forward(logits, y).item());
    } catch (e) {
      if (e instanceof LayerError) throw new LayerError(`trainMlpLayers: step ${step} (learning rate ${cfg.learningRate}): ${e.message}`);
      throw e;
    }
    trainAccuracy.push(accuracy(logits, y));
    // The images need no gradient: backwardParams skips the first layer's ∂L/∂input.
    model.backwardParams(ce.backward());
    step_();
    if (step % cfg.evalFreq === 0 || step === cfg.maxSteps) evaluate(step);
  }
  return { model, trainLoss, trainAccuracy, evals, final: evals[evals.length - 1]!, trainSeconds: (performance.now() - t0) / 1000 };
}
