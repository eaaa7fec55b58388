import { extname } from 'node:path';
import { TsgradError } from '../../core/errors.js';
import { loadSafetensors, saveSafetensors } from '../../io/safetensors.js';
import { loadTorch, saveTorch } from '../../io/torch/file.js';
import type { Tensor } from '../../tensor/tensor.js';
import { flag, flagsHelp, parseFlags } from '../args.js';
import { UsageError, type Command } from '../command.js';

/** Flags of `tsgrad convert`. */
export const CONVERT_FLAGS = {
  prefix: flag.string('keep only tensors whose name starts with PREFIX, and strip it (e.g. "model." or "state_dict.")', { valueName: 'PREFIX' }),
  quiet: flag.boolean('print nothing on success'),
};

type Format = 'torch' | 'safetensors';

function formatOf(path: string): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.pth' || ext === '.pt' || ext === '.bin' || ext === '.ckpt') return 'torch';
  if (ext === '.safetensors') return 'safetensors';
  throw new UsageError(`convert: cannot tell the format of ${path} from its extension (use .pth/.pt for PyTorch, .safetensors for safetensors)`);
}

/** `tsgrad convert IN OUT`: PyTorch checkpoints to safetensors and back. */
export const convertCommand: Command = {
  name: 'convert',
  summary: 'convert a state dict between PyTorch .pth (torch.save) and .safetensors',
  usage: `Usage: tsgrad convert IN OUT [options]

The formats follow the extensions: .pth/.pt/.bin/.ckpt (torch.save zip archives, PyTorch >= 1.6)
and .safetensors. Nested dicts in a .pth file become dotted names; non-tensor entries are dropped.
Half and bfloat16 tensors become float32, int64 become int32 (refused when out of range).

Options:
${flagsHelp(CONVERT_FLAGS)}

Examples:
  tsgrad convert resnet18-f37072fd.pth resnet18.safetensors
  tsgrad convert model.safetensors model.pth
  tsgrad convert checkpoint.pth model.safetensors --prefix model.
`,
  async run(argv) {
    const { values: v, positionals } = parseFlags('tsgrad convert', argv, CONVERT_FLAGS, { positionals: { min: 2, max: 2, name: 'IN OUT' } });
    const [input, output] = positionals as [string, string];
    const from = formatOf(input);
    const to = formatOf(output);
    let sd: Map<string, Tensor>;
    try {
      sd = from === 'torch' ? loadTorch(input) : loadSafetensors(input).tensors;
    } catch (e) {
      if (e instanceof TsgradError) throw new UsageError(`convert: ${e.message}`);
      throw e;
    }
    if (v.prefix !== undefined) {
      const p = v.prefix;
      sd = new Map([...sd].filter(([k]) => k.startsWith(p)).map(([k, t]) => [k.slice(p.length), t]));
      if (sd.size === 0) throw new UsageError(`convert: no tensor of ${input} has a name starting with "${p}"`);
    }
    if (to === 'torch') saveTorch(sd, output);
    else saveSafetensors(output, sd, { format: 'pt' });
    if (!v.quiet) {
      const n = [...sd.values()].reduce((s, t) => s + t.numel(), 0);
      process.stdout.write(`${input} -> ${output}: ${sd.size} tensors, ${n} values\n`);
    }
    return 0;
  },
};
