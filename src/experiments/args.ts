import { TsgradError } from '../core/errors.js';
import { type ExperimentConfig, FLAG_OF, completeConfig, fieldOfFlag } from './config.js';

const LIST_FIELDS = new Set<keyof ExperimentConfig>(['K', 'H']);
const BOOL_FIELDS = new Set<keyof ExperimentConfig>(['bottleneck', 'batchnorm', 'pad32']);
const STRING_FIELDS = new Set<keyof ExperimentConfig>(['name', 'model', 'modelFile', 'optimizer', 'dataset', 'dataDir', 'activation', 'pooling']);

/** Parsed `run-exp` command line: the config and where to write the result. */
export interface RunExpArgs {
  config: ExperimentConfig;
  /** Output folder (default: results). */
  out: string;
  /** Print per-epoch progress. */
  verbose: boolean;
}

/**
 * Parses run-exp flags: `-n NAME -K 32 64 -L 2 -P 2 -H 100 --model cnn --bs-train 128 …`.
 * List flags (-K, -H) take every following value up to the next flag; `-H none` is an empty list;
 * `none` sets a nullable field (--early-stopping, --subset-train, --subset-test, --data-dir) to null.
 */
export function parseRunExpArgs(argv: readonly string[]): RunExpArgs {
  const partial: Record<string, unknown> = {};
  let out = 'results';
  let verbose = false;
  const isFlag = (s: string | undefined): boolean => s !== undefined && /^--?[A-Za-z]/.test(s);
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (!isFlag(tok)) throw new TsgradError(`run-exp: unexpected argument ${JSON.stringify(tok)}; flags look like -K 32 64 or --epochs 10`);
    const body = tok.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const rawName = eq > 0 ? body.slice(0, eq) : body;
    const inline = eq > 0 ? body.slice(eq + 1) : undefined;
    const values: string[] = inline !== undefined ? [inline] : [];
    if (inline === undefined) while (i + 1 < argv.length && !isFlag(argv[i + 1])) values.push(argv[++i]!);
    if (rawName === 'out' || rawName === 'o') {
      if (values.length !== 1) throw new TsgradError(`run-exp: --out takes one folder, got ${values.length} values`);
      out = values[0]!;
      continue;
    }
    if (rawName === 'verbose') {
      verbose = true;
      continue;
    }
    const field = rawName === 'n' ? 'name' : fieldOfFlag(rawName);
    if (!field) throw new TsgradError(`run-exp: unknown flag ${tok}; known: -n, -K, -L, -P, -H, --${Object.values(FLAG_OF).filter((f) => f.length > 1).join(', --')}, --out, --verbose`);
    if (BOOL_FIELDS.has(field)) {
      if (values.length > 1 || (values.length === 1 && !['true', 'false'].includes(values[0]!))) throw new TsgradError(`run-exp: ${tok} is a switch (optionally =true/=false), got ${values.join(' ')}`);
      partial[field] = values.length === 0 || values[0] === 'true';
      continue;
    }
    if (values.length === 0) throw new TsgradError(`run-exp: ${tok} needs a value`);
    if (LIST_FIELDS.has(field)) {
      partial[field] = values.length === 1 && values[0] === 'none' ? [] : values.map((v) => toNumber(tok, v));
      continue;
    }
    if (values.length !== 1) throw new TsgradError(`run-exp: ${tok} takes one value, got ${values.join(' ')}`);
    const v = values[0]!;
    partial[field] = v === 'none' ? null : STRING_FIELDS.has(field) ? v : toNumber(tok, v);
  }
  if (partial['name'] === undefined) throw new TsgradError('run-exp: -n NAME is required');
  return { config: completeConfig(partial as Partial<ExperimentConfig>, 'run-exp'), out, verbose };
}

function toNumber(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new TsgradError(`run-exp: ${flag} expects a number, got ${JSON.stringify(v)}`);
  return n;
}
