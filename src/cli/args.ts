import { parseArgs } from 'node:util';
import { UsageError } from './command.js';

/**
 * Typed command-line flags on node:util parseArgs: each flag declares its type, default and help
 * line; parsing gives typed values, and unknown flags or bad values become UsageErrors that name
 * the command, the flag, the value and what was expected.
 */

/** One flag; `T` is the parsed value's type (phantom). */
export interface Flag<T> {
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'choice';
  description: string;
  short?: string;
  /** Shown in --help as `--name VALUE`. */
  valueName?: string;
  default?: T;
  choices?: readonly string[];
  /** Inclusive lower bound; `exclusiveMin` makes it strict. */
  min?: number;
  exclusiveMin?: boolean;
  max?: number;
  /** Phantom field carrying T; never set. */
  readonly __type?: T;
}

type Common = { short?: string; valueName?: string };

/** Flag constructors: `flag.number('learning rate', {default: 0.1, min: 0, exclusiveMin: true})`. */
export const flag = {
  /** A string flag. */
  string<D extends string | undefined = undefined>(description: string, opts: Common & { default?: D } = {}): Flag<D extends string ? string : string | undefined> {
    return { kind: 'string', description, ...opts } as Flag<D extends string ? string : string | undefined>;
  },
  /** A finite number. */
  number<D extends number | undefined = undefined>(description: string, opts: Common & { default?: D; min?: number; exclusiveMin?: boolean; max?: number } = {}): Flag<D extends number ? number : number | undefined> {
    return { kind: 'number', description, ...opts } as Flag<D extends number ? number : number | undefined>;
  },
  /** An integer. */
  integer<D extends number | undefined = undefined>(description: string, opts: Common & { default?: D; min?: number; max?: number } = {}): Flag<D extends number ? number : number | undefined> {
    return { kind: 'integer', description, ...opts } as Flag<D extends number ? number : number | undefined>;
  },
  /** A switch: present = true. */
  boolean(description: string, opts: { short?: string } = {}): Flag<boolean> {
    return { kind: 'boolean', description, default: false, ...opts };
  },
  /** One of a fixed list of strings. */
  choice<C extends string, D extends C | undefined = undefined>(description: string, choices: readonly C[], opts: Common & { default?: D } = {}): Flag<D extends C ? C : C | undefined> {
    return { kind: 'choice', description, choices, ...opts } as unknown as Flag<D extends C ? C : C | undefined>;
  },
};

/** A command's flags by name (the long name without dashes, e.g. 'batch-size'). */
export type FlagSpecs = Record<string, Flag<unknown>>;

/** Parsed values, typed from the specs. */
export type FlagValues<S extends FlagSpecs> = { [K in keyof S]: S[K] extends Flag<infer T> ? T : never };

/** Options of parseFlags. */
export interface ParseOptions {
  /** How many positional arguments are allowed (default 0) and what they are called in errors. */
  positionals?: { min?: number; max?: number; name: string };
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

function suggest(name: string, specs: FlagSpecs): string {
  const best = Object.keys(specs)
    .map((k) => [k, distance(name, k)] as const)
    .sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean --${best[0]}?)` : '';
}

/** The error prefix: the command without the program name, which the CLI's own prefix already shows. */
function prefix(cmd: string): string {
  return cmd.replace(/^tsgrad /, '');
}

function convert(cmd: string, name: string, spec: Flag<unknown>, raw: string): unknown {
  const bad = (what: string): never => {
    throw new UsageError(`${prefix(cmd)}: --${name} ${what}, got ${JSON.stringify(raw)}`);
  };
  switch (spec.kind) {
    case 'string':
      if (raw === '') bad('needs a non-empty value');
      return raw;
    case 'choice':
      if (!spec.choices!.includes(raw)) bad(`must be one of ${spec.choices!.join(', ')}`);
      return raw;
    case 'number':
    case 'integer': {
      // Plain decimal only: Number() would also take 0x10, 0b1, 0o7 and '1_0'-free forms we do not document.
      const v = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(v)) bad(`must be a ${spec.kind === 'integer' ? 'whole number' : 'number'}`);
      if (spec.kind === 'integer' && !Number.isInteger(v)) bad('must be a whole number');
      if (spec.min !== undefined && (spec.exclusiveMin ? v <= spec.min : v < spec.min)) bad(`must be ${spec.exclusiveMin ? '>' : '>='} ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) bad(`must be <= ${spec.max}`);
      return v;
    }
    default:
      return raw;
  }
}

/**
 * Parses `argv` against `specs`: typed values (defaults filled in) and positionals. Unknown flags,
 * missing or malformed values and wrong positional counts throw a UsageError naming `cmd`.
 */
export function parseFlags<S extends FlagSpecs>(cmd: string, argv: readonly string[], specs: S, opts: ParseOptions = {}): { values: FlagValues<S>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, s] of Object.entries(specs)) options[name] = { type: s.kind === 'boolean' ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}) };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (e) {
    const err = e as Error & { code?: string };
    const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(err.message);
    if (unknown) throw new UsageError(`${prefix(cmd)}: unknown flag ${unknown[1]}${unknown[2]}${suggest(unknown[2]!, specs)}; see ${cmd} --help`);
    const missing = /Option '(?:-\w, )?--([^ ]+) <value>' argument missing/.exec(err.message);
    if (missing) throw new UsageError(`${prefix(cmd)}: --${missing[1]} needs a value`);
    const ambiguous = /Option '(?:-\w, )?--([^']+)' argument is ambiguous/.exec(err.message);
    if (ambiguous) {
      // The occurrence followed by a dash-value (a flag may be repeated: quote the offending one).
      const i = argv.findIndex((a, k) => a === `--${ambiguous[1]}` && (argv[k + 1] ?? '').startsWith('-'));
      const next = i >= 0 ? argv[i + 1] : undefined;
      throw new UsageError(`${prefix(cmd)}: --${ambiguous[1]} is followed by ${JSON.stringify(next ?? '')}, which looks like a flag; write --${ambiguous[1]}=${next ?? 'VALUE'} for a value that starts with a dash`);
    }
    const boolVal = /Option '(?:-\w, )?--([^']+)' does not take an argument/.exec(err.message);
    if (boolVal) throw new UsageError(`${prefix(cmd)}: --${boolVal[1]} is a switch and takes no value`);
    throw new UsageError(`${prefix(cmd)}: ${err.message}`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(specs)) {
    const raw = parsed.values[name];
    if (raw === undefined) values[name] = s.default;
    else if (typeof raw === 'boolean') values[name] = raw;
    else values[name] = convert(cmd, name, s, raw);
  }
  const pos = opts.positionals;
  const n = parsed.positionals.length;
  if (!pos && n > 0) throw new UsageError(`${prefix(cmd)}: unexpected argument ${JSON.stringify(parsed.positionals[0])}; flags start with --; see ${cmd} --help`);
  if (pos) {
    if (pos.min !== undefined && n < pos.min) throw new UsageError(`${prefix(cmd)}: expected at least ${pos.min} ${pos.name}, got ${n}`);
    if (pos.max !== undefined && n > pos.max) throw new UsageError(`${prefix(cmd)}: expected at most ${pos.max} ${pos.name}, got ${n}`);
  }
  return { values: values as FlagValues<S>, positionals: parsed.positionals };
}

/** The options section of a command's --help, generated from its flags. */
export function flagsHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const value = s.kind === 'boolean' ? '' : ` ${s.valueName ?? (s.kind === 'choice' ? s.choices!.join('|') : s.kind === 'string' ? 'STR' : s.kind === 'integer' ? 'N' : 'X')}`;
    const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${value}`;
    const dflt = s.default !== undefined && s.kind !== 'boolean' ? ` (default ${String(s.default)})` : '';
    return [left, `${s.description}${dflt}`] as const;
  });
  const width = Math.min(26, Math.max(...rows.map((r) => r[0].length)));
  return rows.map(([l, r]) => (l.length > width ? `  ${l}\n  ${' '.repeat(width)}  ${r}` : `  ${l.padEnd(width)}  ${r}`)).join('\n');
}
