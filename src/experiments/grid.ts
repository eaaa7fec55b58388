import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TsgradError } from '../core/errors.js';
import { type ExperimentConfig, completeConfig, fieldOfFlag, runName } from './config.js';

/** One run of a grid: its position, name and full config. */
export interface RunSpec {
  index: number;
  runName: string;
  config: ExperimentConfig;
}

/** A grid file's shape: shared defaults and a list of experiments whose list-valued fields are swept. */
export interface GridFile {
  defaults?: Record<string, unknown>;
  experiments: Record<string, unknown>[];
}

// Fields whose plain value is already a list: only a list of lists sweeps them.
const LIST_VALUED = new Set(['K', 'H']);

/**
 * Reads a grid file (.json, .yaml or .yml) and expands it into runs. A relative `model-file` in the
 * grid is relative to the grid's folder; `opts.modelFile` (relative to the working folder) is the default for every run.
 */
export function loadGrid(path: string, opts: { modelFile?: string } = {}): RunSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TsgradError(`grid: cannot read ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new TsgradError(`grid: ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  if (typeof doc === 'object' && doc !== null) {
    const g = doc as GridFile;
    const fix = (o: Record<string, unknown> | undefined): void => {
      if (!o || typeof o !== 'object') return;
      for (const k of ['model-file', 'modelFile']) {
        const v = o[k];
        if (typeof v === 'string' && v !== 'none') o[k] = v.replace(/^[^#]+/, (f) => resolvePath(dirname(resolvePath(path)), f));
      }
    };
    fix(g.defaults);
    if (Array.isArray(g.experiments)) g.experiments.forEach((e) => fix(e));
    if (opts.modelFile !== undefined) g.defaults = { ...(g.defaults ?? {}), modelFile: opts.modelFile.replace(/^[^#]+/, (f) => resolvePath(f)) };
  }
  return expandGrid(doc, path);
}

/**
 * Expands a parsed grid into runs. In each experiment, a field given as a list is swept (the runs are
 * the cartesian product, in the order the fields appear); K and H sweep only when given as a list of
 * lists (`K: [[32], [64]]`), since `K: [64, 128]` is one configuration. Keys may be flag spellings
 * (`bs-train`) or camelCase (`bsTrain`). Two runs with the same name are an error.
 */
export function expandGrid(doc: unknown, source = 'grid'): RunSpec[] {
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as GridFile).experiments)) {
    throw new TsgradError(`grid ${source}: expected an object with an "experiments" list (and optional "defaults")`);
  }
  const grid = doc as GridFile;
  const defaults = normalizeKeys(grid.defaults ?? {}, `${source} defaults`);
  const runs: RunSpec[] = [];
  const seen = new Map<string, number>();
  grid.experiments.forEach((exp, e) => {
    const where = `${source} experiments[${e}]`;
    if (typeof exp !== 'object' || exp === null) throw new TsgradError(`${where}: expected an object, got ${JSON.stringify(exp)}`);
    const fields = { ...defaults, ...normalizeKeys(exp, where) };
    let combos: Record<string, unknown>[] = [{}];
    for (const [key, value] of Object.entries(fields)) {
      const sweep = Array.isArray(value) && (!LIST_VALUED.has(key) || value.some((v) => Array.isArray(v)));
      const options = sweep ? (value as unknown[]) : [value];
      if (sweep && options.length === 0) throw new TsgradError(`${where}: ${key} sweeps over an empty list`);
      combos = combos.flatMap((c) => options.map((o) => ({ ...c, [key]: o })));
    }
    for (const combo of combos) {
      const config = completeConfig(combo as Partial<ExperimentConfig>, where);
      const name = runName(config);
      const prev = seen.get(name);
      if (prev !== undefined) throw new TsgradError(`${where}: run ${name} appears twice (also run ${prev}); runs are named by name, L and K only, so sweep other fields under different names`);
      seen.set(name, runs.length);
      runs.push({ index: runs.length, runName: name, config });
    }
  });
  return runs;
}

function normalizeKeys(obj: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const field = fieldOfFlag(k);
    if (!field) throw new TsgradError(`${where}: unknown field ${JSON.stringify(k)}`);
    out[field] = v;
  }
  return out;
}
