import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TsgradError } from '../core/errors.js';
import { callFactory, create, isRegistered, registeredModels, type ModelFactory, type ModelSpec } from '../models/registry.js';
import type { Module } from '../nn/module.js';

/** A model file that cannot be used: missing, failing to import, or without the named factory. */
export class ModelFileError extends TsgradError {
  override name = 'ModelFileError';
}

/** Where a model comes from in a JS file: its absolute path and the export holding the factory. */
export interface ModelFileRef {
  path: string;
  /** Export name of the factory; absent: the file registers models and `model` names one of them. */
  export?: string;
}

const loaded = new Map<string, Record<string, unknown>>();

/** Splits `./my-net.js#makeNet` into an absolute path and an export name (none without `#`). */
export function parseModelFileArg(arg: string, cwd = process.cwd()): ModelFileRef {
  const hash = arg.lastIndexOf('#');
  const file = hash > 0 ? arg.slice(0, hash) : arg;
  const exp = hash > 0 ? arg.slice(hash + 1) : undefined;
  if (exp !== undefined && !/^[A-Za-z_$][\w$]*$/.test(exp)) throw new ModelFileError(`--model-file ${arg}: ${JSON.stringify(exp)} after # is not an export name`);
  return { path: resolve(cwd, file), ...(exp !== undefined ? { export: exp } : {}) };
}

/**
 * Imports a model file (once per path): a JS module whose default export (or named export) is a
 * factory `({ inputShape, numClasses, options }) => Module`, and/or that calls tg.models.register.
 */
export async function importModelFile(path: string): Promise<Record<string, unknown>> {
  const abs = resolve(path);
  const hit = loaded.get(abs);
  if (hit) return hit;
  if (!existsSync(abs)) throw new ModelFileError(`model file ${abs} does not exist`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (e) {
    throw new ModelFileError(`model file ${abs} failed to load: ${(e as Error).message}`);
  }
  loaded.set(abs, mod);
  return mod;
}

/**
 * Builds a model from a model file that importModelFile has loaded: the named export's factory, or
 * (ref.export absent) the registered model `name`, or the file's default export when nothing by that name is registered.
 */
export function buildFromModelFile(ref: ModelFileRef, name: string | undefined, spec: ModelSpec): Module {
  const mod = loaded.get(resolve(ref.path));
  if (!mod) throw new ModelFileError(`model file ${ref.path} is not loaded yet (await importModelFile, or use the async loadModel/evaluateSavedModel)`);
  let exp = ref.export;
  if (exp === undefined) {
    if (name !== undefined && isRegistered(name)) return create(name, spec.inputShape, spec.numClasses, spec.options);
    exp = 'default';
  }
  const f = mod[exp];
  if (typeof f !== 'function') {
    const regs = registeredModels();
    throw new ModelFileError(
      `model file ${ref.path} has no ${exp === 'default' ? 'default export' : `export ${JSON.stringify(exp)}`} that is a factory function ({ inputShape, numClasses, options }) => Module` +
        `${name !== undefined ? ` and registers no model ${JSON.stringify(name)}` : ''}; exports: ${Object.keys(mod).join(', ') || 'none'}; registered models: ${regs.join(', ')}`,
    );
  }
  return callFactory(f as ModelFactory, spec, `${exp === 'default' ? 'the default export' : `export ${exp}`} of ${ref.path}`);
}
