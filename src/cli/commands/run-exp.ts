import { resolve } from 'node:path';
import { type Command, UsageError } from '../command.js';
import { parseRunExpArgs } from '../../experiments/args.js';
import { DEFAULT_CONFIG, runName } from '../../experiments/config.js';
import { runExperiment } from '../../experiments/run.js';
import { dieWithParent } from '../../experiments/parent-watch.js';
import { TsgradError } from '../../core/errors.js';

const d = DEFAULT_CONFIG;
const USAGE = `Usage: tsgrad run-exp -n NAME [-K 32 64] [-L 2] [-P 2] [-H 100] [--model cnn|resnet|convnet|custom] [options]

Trains one configuration and writes <out>/NAME_L{L}_K{K1}-{K2}….json (e.g. exp1_1_L2_K32.json)
holding the configuration and the full per-epoch history (train/test loss and accuracy).

Architecture:
  -K C1 C2 …          channels per block; each repeated L times (default ${d.K.join(' ')})
  -L N                convolutions per entry of K (default ${d.L})
  -P N                pool after every P convolutions; resnet: P convs per residual block (default ${d.P})
  -H D1 D2 …          hidden widths of the classifier head; -H none for none (default ${d.H.join(' ')})
  --model M           cnn (ConvClassifier), resnet (ResNetClassifier), convnet (the pre-activation
                      VGG ConvNet; -K/-L/-P/-H ignored, inputs padded to 32×32), custom (CustomNet:
                      one stage per K entry with ceil(L/2) residual blocks) (default ${d.model})
  --model-file F.js   your own model: F.js's default export ({ inputShape, numClasses, options }) =>
                      Module, F.js#name for a named export, or with --model NAME a model that F.js
                      registers (tg.models.register); options hold K, L, P, H, dropout, …
  --activation A      relu, lrelu, elu, tanh (cnn/resnet; default ${d.activation})
  --pooling max|avg   (cnn/resnet; default ${d.pooling})
  --batchnorm         batch norm inside residual blocks (resnet)
  --bottleneck        bottleneck residual blocks where channels allow (resnet)
  --dropout p         dropout probability (resnet, custom; default ${d.dropout})
Training:
  --bs-train N --bs-test N     batch sizes (default ${d.bsTrain}, ${d.bsTest})
  --epochs N                   (default ${d.epochs})
  --early-stopping N|none      stop after N epochs without a better validation loss (default ${d.earlyStopping})
  --val-split F                fraction of the training samples held out (by --seed) for validation:
                               early stopping and the saved weights follow it; 0: none (default ${d.valSplit})
  --lr X --reg X               learning rate and L2 weight decay (default ${d.lr}, ${d.reg})
  --optimizer sgd|adam|adamw|rmsprop   (default ${d.optimizer}); --momentum X for sgd/rmsprop (default ${d.momentum})
  --seed N                     seeds the weights and the shuffling (default ${d.seed})
Data:
  --dataset fashion-mnist|mnist|cifar10 (default ${d.dataset}); --data-dir DIR (default $TSGRAD_DATA or ~/.cache/tsgrad)
  --subset-train N --subset-test N     use only the first N samples of each split
  --pad32                      pad 28×28 images to 32×32
Output:
  --out DIR                    folder of the result file and of NAME_L…_K….model/ (the trained
                               weights: tsgrad eval/classify --model-dir) (default results)
  --verbose                    print a line per epoch`;

/** `tsgrad run-exp`: trains one experiment configuration and writes its result file. */
export const runExpCommand: Command = {
  name: 'run-exp',
  summary: 'train one experiment configuration (cnn, resnet, convnet, custom) and write its JSON result',
  usage: USAGE,
  async run(argv) {
    let parsed;
    try {
      parsed = parseRunExpArgs(argv);
    } catch (e) {
      if (e instanceof TsgradError) throw new UsageError(e.message);
      throw e;
    }
    const { config, out, verbose } = parsed;
    // Started by a sweep: stop when the sweep does, even if it was killed with SIGKILL.
    const parent = Number(process.env['TSGRAD_DIE_WITH_PARENT']);
    if (Number.isInteger(parent) && parent > 0) await dieWithParent(parent);
    const r = await runExperiment(config, { outDir: resolve(out), onEpoch: verbose ? (l) => process.stdout.write(l + '\n') : undefined });
    const h = r.result;
    const i = h.testAcc.length - 1;
    process.stdout.write(
      `${runName(config)}: ${h.numEpochs} epoch(s) in ${r.seconds.toFixed(1)} s, train acc ${(100 * h.trainAcc[i]!).toFixed(2)}%, test acc ${(100 * h.testAcc[i]!).toFixed(2)}% (${h.valLoss ? 'at the lowest validation loss' : 'at the lowest training loss'}, epoch ${(h.bestIndex ?? i) + 1}: ${(100 * h.testAcc[h.bestIndex ?? i]!).toFixed(2)}%) → ${resolve(out, runName(config) + '.json')}\n`,
    );
    return 0;
  },
};
