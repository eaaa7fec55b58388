import { existsSync, statSync } from 'node:fs';
import { evaluateSavedModel } from '../../train/evaluate.js';
import { formatConfusion } from '../../train/metrics.js';
import { flag, flagsHelp, parseFlags } from '../args.js';
import { parseModelFileArg } from '../../train/model-file.js';
import { UsageError, type Command } from '../command.js';

/** Flags of `tsgrad eval`. */
export const EVAL_FLAGS = {
  'model-dir': flag.string('folder of a saved model (model.json + model.safetensors; a tsgrad train --out)', { valueName: 'DIR' }),
  'model-file': flag.string('JS file that defines the model (default: the one model.json records)', { valueName: 'FILE.js[#export]' }),
  dataset: flag.choice('dataset (default: the one the model was trained on)', ['fashion-mnist', 'mnist', 'cifar10'] as const),
  split: flag.choice('which split', ['test', 'train'] as const, { default: 'test' }),
  limit: flag.integer('use only the first N images', { min: 1, valueName: 'N' }),
  'batch-size': flag.integer('images per batch', { default: 500, min: 1 }),
  'data-dir': flag.string('data root (default $TSGRAD_DATA, else ~/.cache/tsgrad)', { valueName: 'DIR' }),
  download: flag.boolean('download missing official data files'),
  json: flag.boolean('print the report as JSON'),
};

/** `tsgrad eval`: loss and accuracy (overall and per class) of a saved model. */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a saved model on a dataset split: loss, accuracy, per-class precision/recall/F1, confusion matrix',
  usage: `Usage: tsgrad eval --model-dir DIR [options]

Options:
${flagsHelp(EVAL_FLAGS)}

Example:
  tsgrad eval --model-dir tsgrad-run
`,
  async run(argv) {
    const { values: v } = parseFlags('tsgrad eval', argv, EVAL_FLAGS);
    if (v['model-dir'] === undefined) throw new UsageError('eval: --model-dir DIR is required');
    if (v['data-dir'] !== undefined && !(existsSync(v['data-dir']) && statSync(v['data-dir']).isDirectory())) {
      throw new UsageError(`eval: --data-dir ${v['data-dir']} does not exist or is not a folder`);
    }
    const r = await evaluateSavedModel(v['model-dir'], {
      ...(v.dataset !== undefined ? { dataset: v.dataset } : {}),
      split: v.split,
      ...(v.limit !== undefined ? { limit: v.limit } : {}),
      batchSize: v['batch-size'],
      ...(v['data-dir'] !== undefined ? { dataDir: v['data-dir'] } : {}),
      download: v.download,
      ...(v['model-file'] !== undefined ? { modelFile: parseModelFileArg(v['model-file']) } : {}),
    });
    if (v.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(...r.perClass.map((c) => c.name.length));
    const pct = (v: number) => `${(100 * v).toFixed(2).padStart(6)}%`;
    process.stdout.write(
      `${r.dataset} ${r.split} (${r.source}), ${r.numSamples} images\n` +
        `loss ${r.loss.toFixed(4)}  accuracy ${(100 * r.accuracy).toFixed(2)}%  ` +
        `macro precision ${(100 * r.macro.precision).toFixed(2)}%  recall ${(100 * r.macro.recall).toFixed(2)}%  F1 ${(100 * r.macro.f1).toFixed(2)}%\n` +
        `  ${'class'.padEnd(width)}  accuracy  precision   recall       F1  (samples)\n` +
        r.perClass.map((c) => `  ${c.name.padEnd(width)}  ${Number.isNaN(c.accuracy) ? '     n/a' : ` ${pct(c.accuracy)}`}    ${pct(c.precision)}  ${pct(c.recall)}  ${pct(c.f1)}  (${c.count})`).join('\n') +
        '\n' +
        `confusion matrix (rows: true class, columns: predicted)\n${formatConfusion(r.confusion, r.perClass.map((c) => c.name))}\n`,
    );
    return 0;
  },
};
