import { classifyImages } from '../../train/evaluate.js';
import { importSavedModelFile } from '../../train/saved-model.js';
import { flag, flagsHelp, parseFlags } from '../args.js';
import { parseModelFileArg } from '../../train/model-file.js';
import { UsageError, type Command } from '../command.js';

/** Flags of `tsgrad classify`. */
export const CLASSIFY_FLAGS = {
  'model-dir': flag.string('folder of a saved model (a tsgrad train --out)', { valueName: 'DIR' }),
  'model-file': flag.string('JS file that defines the model (default: the one model.json records)', { valueName: 'FILE.js[#export]' }),
  top: flag.integer('show the K most likely classes', { default: 1, min: 1, valueName: 'K' }),
  json: flag.boolean('print the results as JSON'),
};

/** `tsgrad classify`: class names of PNG images under a saved model. */
export const classifyCommand: Command = {
  name: 'classify',
  summary: 'classify PNG images with a saved model, printing class names',
  usage: `Usage: tsgrad classify --model-dir DIR IMAGE.png [IMAGE.png ...]

Each PNG is converted to the model's channels (grayscale by luminance, or RGB; transparent
pixels count as black, like MNIST's background) and resized to its input size, then classified.
Prints one line per image: path, class name, probability.

Options:
${flagsHelp(CLASSIFY_FLAGS)}
`,
  async run(argv) {
    const { values: v, positionals } = parseFlags('tsgrad classify', argv, CLASSIFY_FLAGS, { positionals: { min: 1, name: 'PNG image(s)' } });
    if (v['model-dir'] === undefined) throw new UsageError('classify: --model-dir DIR is required');
    const opts = v['model-file'] !== undefined ? { modelFile: parseModelFileArg(v['model-file']) } : {};
    await importSavedModelFile(v['model-dir'], opts);
    const results = classifyImages(v['model-dir'], positionals, v.top, opts);
    if (v.json) {
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      return 0;
    }
    for (const r of results) {
      const cls = r.top.map((t) => `${t.name} (${(100 * t.probability).toFixed(1)}%)`).join(', ');
      process.stdout.write(`${r.path}: ${cls}\n`);
    }
    return 0;
  },
};
