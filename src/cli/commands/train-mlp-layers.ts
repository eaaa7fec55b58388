import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, UsageError } from '../command.js';
import { getBackend } from '../../backend/registry.js';
import { loadDataset, type DatasetName } from '../../data/datasets.js';
import { plotCurves } from '../../plot/curves.js';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { writePlot } from '../../plot/write.js';
import { MLP_LAYERS_DEFAULTS, MLP_LAYERS_OPTIMIZERS, trainMlpLayers, type MlpLayersConfig, type MlpLayersOptimizer } from '../../train/mlp-layers.js';
import { firstRows } from '../../train/prepare.js';

const D = MLP_LAYERS_DEFAULTS;
const DATASETS: readonly DatasetName[] = ['fashion-mnist', 'mnist', 'cifar10'];

const USAGE = `Usage: tsgrad train-mlp-layers [options]

The classic MLP exercise with hand-derived layers (src/layers, autograd off):
MLP with ELU hidden layers, softmax cross-entropy, plain SGD on random batches;
evaluates on the whole test set every --eval-freq steps. Writes results.json,
loss.svg/png and accuracy.svg/png into --out; progress goes to stderr.

  --dnn-hidden-units LIST  comma-separated hidden widths (default "${D.hiddenUnits.join(',')}"; "" = none)
  --learning-rate X        SGD step size (default ${D.learningRate})
  --max-steps N            training steps (default ${D.maxSteps})
  --batch-size N           images per step (default ${D.batchSize})
  --eval-freq N            steps between test evaluations (default ${D.evalFreq})
  --weight-decay X         L2 penalty of the SGD step (default 0)
  --optimizer NAME         sgd (default), momentum (0.9), rmsprop or adam, over net.params()/grads()
  --limit-train N          use only the first N training images
  --limit-test N           use only the first N test images
  --dataset NAME           fashion-mnist (default), mnist or cifar10
  --data-dir DIR           root holding mnist/, fashion-mnist/, cifar-10-batches-bin/
                           (default $TSGRAD_DATA, else ~/.cache/tsgrad; Fashion-MNIST falls
                           back to the embedded subset)
  --seed N                 seeds initialisation and batch order (default ${D.seed})
  --out DIR                output folder (default runs/train-mlp-layers)
`;

function num(flag: string, v: string, integer: boolean, min: number): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)) || x < min) {
    throw new UsageError(`train-mlp-layers: --${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(v)}`);
  }
  return x;
}

/** Parses the flags into a config, dataset, data dir and output folder. */
export function parseTrainMlpLayersArgs(argv: string[]): { cfg: MlpLayersConfig; dataset: DatasetName; dataDir?: string; out: string; limitTrain?: number; limitTest?: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'dnn-hidden-units': { type: 'string', default: D.hiddenUnits.join(',') },
        'learning-rate': { type: 'string', default: String(D.learningRate) },
        'max-steps': { type: 'string', default: String(D.maxSteps) },
        'batch-size': { type: 'string', default: String(D.batchSize) },
        'eval-freq': { type: 'string', default: String(D.evalFreq) },
        'weight-decay': { type: 'string', default: '0' },
        optimizer: { type: 'string', default: 'sgd' },
        'limit-train': { type: 'string' },
        'limit-test': { type: 'string' },
        dataset: { type: 'string', default: 'fashion-mnist' },
        'data-dir': { type: 'string' },
        seed: { type: 'string', default: String(D.seed) },
        out: { type: 'string', default: 'runs/train-mlp-layers' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`train-mlp-layers: ${(e as Error).message}`);
  }
  const units = values['dnn-hidden-units']!.trim();
  const hiddenUnits = units === '' ? [] : units.split(',').map((u) => num('dnn-hidden-units', u, true, 1));
  const dataset = values.dataset as DatasetName;
  if (!DATASETS.includes(dataset)) throw new UsageError(`train-mlp-layers: --dataset must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(values.dataset)}`);
  const lr = num('learning-rate', values['learning-rate']!, false, 0);
  if (lr === 0) throw new UsageError('train-mlp-layers: --learning-rate must be positive');
  const cfg: MlpLayersConfig = {
    hiddenUnits,
    learningRate: lr,
    maxSteps: num('max-steps', values['max-steps']!, true, 1),
    batchSize: num('batch-size', values['batch-size']!, true, 1),
    evalFreq: num('eval-freq', values['eval-freq']!, true, 1),
    weightDecay: num('weight-decay', values['weight-decay']!, false, 0),
    seed: num('seed', values.seed!, true, 0),
  };
  const optimizer = values.optimizer as MlpLayersOptimizer;
  if (!MLP_LAYERS_OPTIMIZERS.includes(optimizer)) throw new UsageError(`train-mlp-layers: --optimizer must be one of ${MLP_LAYERS_OPTIMIZERS.join(', ')}, got ${JSON.stringify(values.optimizer)}`);
  if (optimizer !== 'sgd') cfg.optimizer = optimizer;
  const limits = {
    ...(values['limit-train'] !== undefined ? { limitTrain: num('limit-train', values['limit-train'], true, 1) } : {}),
    ...(values['limit-test'] !== undefined ? { limitTest: num('limit-test', values['limit-test'], true, 1) } : {}),
  };
  return { cfg, dataset, dataDir: values['data-dir'], out: values.out!, ...limits };
}

/** Where the command's progress lines (stderr) and final summary (stdout) go. */
export interface CommandIO {
  err(line: string): void;
  out(line: string): void;
}

const processIO: CommandIO = {
  err: (line) => void process.stderr.write(`${line}\n`),
  out: (line) => void process.stdout.write(`${line}\n`),
};

/** Runs `tsgrad train-mlp-layers` with the given arguments; resolves to the exit code. */
export async function runTrainMlpLayers(argv: string[], io: CommandIO = processIO): Promise<number> {
  const { cfg, dataset, dataDir, out, limitTrain, limitTest } = parseTrainMlpLayersArgs(argv);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const log = io.err;
  const fullTrain = await loadDataset(dataset, 'train', { dataDir, onNotice: log });
  const fullTest = await loadDataset(dataset, 'test', { dataDir, onNotice: log });
  const train = { ...fullTrain, images: firstRows(fullTrain.images, limitTrain), labels: firstRows(fullTrain.labels, limitTrain) };
  const test = { ...fullTest, images: firstRows(fullTest.images, limitTest), labels: firstRows(fullTest.labels, limitTest) };
  log(`train-mlp-layers: ${dataset} (${train.labels.shape[0]} train, ${test.labels.shape[0]} test images from ${train.source}), backend ${getBackend().name}`);
  const res = trainMlpLayers(train, test, { ...cfg, numClasses: train.classes.length }, log);
  log(`model: ${res.model.describe()} (${res.model.numParams()} parameters)`);
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const dir = resolve(out);
  const results = {
    command: 'train-mlp-layers',
    dataset,
    dataSource: train.source,
    trainImages: train.labels.shape[0],
    testImages: test.labels.shape[0],
    config: cfg,
    model: res.model.describe(),
    numParams: res.model.numParams(),
    backend: getBackend().name,
    final: { step: res.final.step, testAccuracy: res.final.testAccuracy, testLoss: res.final.testLoss },
    bestTestAccuracy: Math.max(...res.evals.map((e) => e.testAccuracy)),
    trainSeconds: res.trainSeconds,
    wallSeconds,
    // CPU time of this process (user + system): less disturbed than wall time on a shared machine.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    evals: res.evals,
    history: { trainLoss: res.trainLoss, trainAccuracy: res.trainAccuracy },
  };
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n', { makeDirs: true });
  const steps = res.trainLoss.map((_, i) => i + 1);
  const evalSteps = res.evals.map((e) => e.step);
  const title = `MLP [${cfg.hiddenUnits.join(',')}] on ${dataset} (hand-derived layers)`;
  writePlot(join(dir, 'loss'), await plotCurves(
    [
      { name: 'train (batch)', x: steps, y: res.trainLoss },
      { name: 'test', x: evalSteps, y: res.evals.map((e) => e.testLoss) },
    ],
    { title, xLabel: 'step', yLabel: 'cross-entropy loss' },
  ));
  writePlot(join(dir, 'accuracy'), await plotCurves(
    [
      { name: `train (mean since last eval)`, x: evalSteps.slice(1), y: res.evals.slice(1).map((e) => e.trainAccuracy) },
      { name: 'test', x: evalSteps, y: res.evals.map((e) => e.testAccuracy) },
    ],
    { title, xLabel: 'step', yLabel: 'accuracy', yFormat: '%' },
  ));
  log(`final test accuracy ${(100 * res.final.testAccuracy).toFixed(2)}% after ${res.final.step} steps; wall time ${wallSeconds.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); wrote ${dir}/{results.json,loss.svg,loss.png,accuracy.svg,accuracy.png}`);
  io.out(JSON.stringify(results.final));
  return 0;
}

/** `tsgrad train-mlp-layers`: the classic MLP exercise on hand-derived layers. */
export const trainMlpLayersCommand: Command = {
  name: 'train-mlp-layers',
  summary: 'train an MLP built from hand-derived layers (SGD, ELU, softmax cross-entropy)',
  usage: USAGE,
  run: (argv: string[]) => runTrainMlpLayers(argv),
};
