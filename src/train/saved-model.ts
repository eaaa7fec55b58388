import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsgradError } from '../core/errors.js';
import { loadStateDict as loadSafetensors, saveStateDict as saveSafetensors } from '../io/index.js';
import type { Module } from '../nn/module.js';
import { ensureDir, writeFileAtomic } from '../core/atomic-write.js';
import { buildModel, isBuiltinModel, MODEL_NAMES, type ModelConfig } from './models.js';
import { importModelFile } from './model-file.js';
import { isRegistered } from '../models/registry.js';

/** What model.json holds besides the weights: how to rebuild the model and prepare its inputs. */
export interface SavedModelMeta {
  format: 'tsgrad-model/1';
  config: ModelConfig;
  /** Class names in label order. */
  classes: string[];
  /** Per-channel normalisation applied to [0,1] images before the model. */
  normalize: { mean: number[]; std: number[] };
  /** Dataset the model was trained on (name and where the data came from). */
  dataset: { name: string; source: string };
}

/** A saved model that cannot be loaded: missing files, a bad model.json, or weights that do not fit. */
export class SavedModelError extends TsgradError {
  override name = 'SavedModelError';
}

/** Writes `<dir>/model.safetensors` and `<dir>/model.json`, each atomically. */
export function saveModel(dir: string, model: Module, meta: SavedModelMeta): { weights: string; meta: string } {
  const paths = { weights: join(dir, 'model.safetensors'), meta: join(dir, 'model.json') };
  ensureDir(dir);
  saveSafetensors(paths.weights, model.stateDict());
  writeFileAtomic(paths.meta, `${JSON.stringify(meta, null, 2)}\n`, { makeDirs: true });
  return paths;
}

function checkMeta(meta: unknown, path: string): asserts meta is SavedModelMeta {
  const m = meta as Partial<SavedModelMeta> | null;
  const bad = (what: string): never => {
    throw new SavedModelError(`${path}: ${what}`);
  };
  if (typeof m !== 'object' || m === null) bad('expected a JSON object');
  if (m!.format !== 'tsgrad-model/1') bad(`format is ${JSON.stringify(m!.format)}, expected "tsgrad-model/1"`);
  const c = m!.config;
  if (!c || typeof c.model !== 'string') bad('config.model must be a model name');
  if (c!.file !== undefined && (typeof c!.file !== 'object' || c!.file === null || typeof c!.file.path !== 'string')) bad('config.file must be { path, export? }');
  if (!c!.file && !isBuiltinModel(c!.model) && !isRegistered(c!.model)) bad(`config.model ${JSON.stringify(c!.model)} is neither built in (${MODEL_NAMES.join(', ')}) nor registered (tg.models.register) in this process, and no config.file says where it is defined`);
  if (!Array.isArray(c!.inputShape) || c!.inputShape.length !== 3 || !c!.inputShape.every((v) => Number.isInteger(v) && v > 0)) bad('config.inputShape must be [C, H, W]');
  if (!Array.isArray(m!.classes) || m!.classes.length !== c!.numClasses) bad(`classes must list config.numClasses (${c!.numClasses}) names`);
  const n = m!.normalize;
  if (!n || !Array.isArray(n.mean) || !Array.isArray(n.std) || n.mean.length !== n.std.length) bad('normalize must hold mean and std arrays of equal length');
}

/** Reads and checks `<dir>/model.json`. */
export function readModelMeta(dir: string): SavedModelMeta {
  const metaPath = join(dir, 'model.json');
  if (!existsSync(dir)) throw new SavedModelError(`model directory ${dir} does not exist`);
  if (!existsSync(metaPath)) throw new SavedModelError(`${dir} is not a saved model: ${metaPath} does not exist (tsgrad train --out DIR and tsgrad run-exp write model.json and model.safetensors)`);
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (e) {
    throw new SavedModelError(`${metaPath}: not valid JSON (${(e as Error).message})`);
  }
  checkMeta(meta, metaPath);
  return meta;
}

/** Options of loadModel. */
export interface LoadModelOptions {
  /** Use this model file instead of the one recorded in model.json (it moved, or the model was registered in-process). */
  modelFile?: { path: string; export?: string };
}

/**
 * Rebuilds any saved model, importing the model file recorded in model.json (or `opts.modelFile`)
 * first, then loads its weights; loadSavedModel does the same for built-in and registered models without the import.
 */
export async function loadModel(dir: string, opts: LoadModelOptions = {}): Promise<{ model: Module; meta: SavedModelMeta }> {
  await importSavedModelFile(dir, opts);
  return loadSavedModel(dir, opts);
}

/** Imports the model file a saved model needs (`opts.modelFile`, else the one model.json records), so that loadSavedModel can build it. */
export async function importSavedModelFile(dir: string, opts: LoadModelOptions = {}): Promise<void> {
  // An override is imported first: it may register the model that model.json names.
  if (opts.modelFile) await importModelFile(opts.modelFile.path);
  else {
    const file = readModelMeta(dir).config.file;
    if (file) await importModelFile(file.path);
  }
}

/** Rebuilds a model saved by saveModel and loads its weights (strictly: every key and shape must fit). */
export function loadSavedModel(dir: string, opts: LoadModelOptions = {}): { model: Module; meta: SavedModelMeta } {
  const weightsPath = join(dir, 'model.safetensors');
  const metaPath = join(dir, 'model.json');
  const meta = readModelMeta(dir);
  if (opts.modelFile) meta.config.file = opts.modelFile;
  if (!existsSync(weightsPath)) throw new SavedModelError(`${dir} is not a saved model: ${weightsPath} does not exist (tsgrad train --out DIR and tsgrad run-exp write model.json and model.safetensors)`);
  let model: Module;
  try {
    model = buildModel(meta.config);
  } catch (e) {
    throw new SavedModelError(`${metaPath}: cannot rebuild the ${meta.config.model} model: ${(e as Error).message}`);
  }
  const weights = loadSafetensors(weightsPath);
  try {
    model.loadStateDict(weights);
  } catch (e) {
    throw new SavedModelError(`${weightsPath} does not fit the ${meta.config.model} described in ${metaPath}: ${(e as Error).message}`);
  }
  model.eval();
  return { model, meta };
}
