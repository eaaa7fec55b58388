import { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import { loadDataset, type DatasetName, type LoadOptions } from '../data/datasets.js';
import { crossEntropy, softmax } from '../nn/functional.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { readPngImage } from './images.js';
import { firstRows, normalizeImages, padImages } from './prepare.js';
import { loadModel, loadSavedModel, SavedModelError, type LoadModelOptions } from './saved-model.js';
import { addConfusion, classificationMetrics, confusionMatrix } from './metrics.js';
import { countCorrect } from './trainer.js';

/** Accuracy of a saved model on a dataset split. */
export interface EvalReport {
  dataset: string;
  split: 'train' | 'test';
  source: string;
  numSamples: number;
  loss: number;
  accuracy: number;
  /**
   * Per class, in label order: accuracy (= recall; NaN for a class with no samples), number of
   * samples, precision, recall and F1 (0 when undefined, like sklearn).
   */
  perClass: { name: string; accuracy: number; count: number; precision: number; recall: number; f1: number }[];
  /** Unweighted means over the classes of precision, recall and F1. */
  macro: { precision: number; recall: number; f1: number };
  /** confusion[true][predicted] sample counts. */
  confusion: number[][];
}

/** Options of evaluateSavedModel. */
export interface EvalOptions extends Pick<LoadOptions, 'dataDir' | 'download' | 'onNotice'> {
  /** Dataset (default: the one the model was trained on). */
  dataset?: DatasetName;
  split?: 'train' | 'test';
  limit?: number;
  batchSize?: number;
  /** Model file to rebuild the model from, instead of the one model.json records. */
  modelFile?: LoadModelOptions['modelFile'];
}

/** Evaluates the model saved in `dir` (model.json + model.safetensors) on a dataset split. */
export async function evaluateSavedModel(dir: string, opts: EvalOptions = {}): Promise<EvalReport> {
  const { model, meta } = await loadModel(dir, opts.modelFile ? { modelFile: opts.modelFile } : {});
  const name = opts.dataset ?? (meta.dataset.name as DatasetName);
  if (name !== meta.dataset.name) {
    (opts.onNotice ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      `tsgrad: warning: the model in ${dir} was trained on ${meta.dataset.name}, but is evaluated on ${name}; its class names and accuracy refer to ${meta.dataset.name}`,
    );
  }
  const split = opts.split ?? 'test';
  const data = await loadDataset(name, split, { ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}), download: opts.download ?? false, ...(opts.onNotice ? { onNotice: opts.onNotice } : {}) });
  const [c, h, w] = meta.config.inputShape;
  const [dc, dh, dw] = data.images.shape.slice(1) as [number, number, number];
  if (data.classes.length !== meta.config.numClasses || dc !== c || dh > h || dw > w) {
    throw new SavedModelError(
      `the model in ${dir} takes [${c}, ${h}, ${w}] images and predicts ${meta.config.numClasses} classes; ${name} has [${dc}, ${dh}, ${dw}] images and ${data.classes.length} classes`,
    );
  }
  let x = padImages(firstRows(data.images, opts.limit), h, w);
  x = normalizeImages(x, meta.normalize.mean, meta.normalize.std);
  const y = firstRows(data.labels, opts.limit);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: opts.batchSize ?? 500 });
  const k = meta.config.numClasses;
  const confusion = confusionMatrix([], [], k);
  let lossSum = 0;
  let correct = 0;
  let n = 0;
  model.eval();
  noGrad(() => {
    for (const [xb, yb] of loader) {
      const out = model.forward(xb);
      const bn = xb.shape[0]!;
      lossSum += crossEntropy(out, yb).item() * bn;
      correct += countCorrect(out, yb);
      n += bn;
      addConfusion(confusion, confusionMatrix(out, yb, k));
    }
  });
  const m = classificationMetrics(confusion);
  return {
    dataset: name,
    split,
    source: data.source,
    numSamples: n,
    loss: lossSum / n,
    accuracy: correct / n,
    perClass: meta.classes.map((cls, i) => {
      const s = m.perClass[i]!;
      return { name: cls, accuracy: s.support ? s.recall : NaN, count: s.support, precision: s.precision, recall: s.recall, f1: s.f1 };
    }),
    macro: { precision: m.macro.precision, recall: m.macro.recall, f1: m.macro.f1 },
    confusion,
  };
}

/** One classified image: the top classes with their softmax probabilities. */
export interface Classification {
  path: string;
  top: { name: string; index: number; probability: number }[];
}

/**
 * Classifies PNG files with the model saved in `dir`: each image is converted to the model's channels and size.
 * A model defined in a file needs that file imported first (importSavedModelFile, or loadModel).
 */
export function classifyImages(dir: string, paths: readonly string[], topK = 1, opts: LoadModelOptions = {}): Classification[] {
  const { model, meta } = loadSavedModel(dir, opts);
  const [c, h, w] = meta.config.inputShape;
  const batch = new Float32Array(paths.length * c * h * w);
  // Images are resized to the data's own size; a ConvNet input is the 28×28 image padded to 32×32, like in training.
  const pad = h === 32 && w === 32 && meta.dataset.name !== 'cifar10' && c === 1 ? 2 : 0;
  paths.forEach((p, i) => {
    const img = readPngImage(p, c, h - 2 * pad, w - 2 * pad);
    const t = padImages(Tensor.fromStorage(img, 'float32', [1, c, h - 2 * pad, w - 2 * pad]), h, w);
    batch.set(t.toTypedArray() as Float32Array, i * c * h * w);
  });
  const x = normalizeImages(Tensor.fromStorage(batch, 'float32', [paths.length, c, h, w]), meta.normalize.mean, meta.normalize.std);
  const probs = noGrad(() => softmax(model.forward(x), 1).toTypedArray() as Float32Array);
  const k = meta.config.numClasses;
  return paths.map((path, i) => {
    const row = Array.from(probs.subarray(i * k, (i + 1) * k), (p, j) => ({ name: meta.classes[j]!, index: j, probability: p }));
    row.sort((a, b) => b.probability - a.probability);
    return { path, top: row.slice(0, Math.max(1, Math.min(topK, k))) };
  });
}
