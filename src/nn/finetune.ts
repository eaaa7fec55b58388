/**
 * Transfer-learning helpers: freeze and unfreeze parameters by name pattern, swap a submodule
 * (e.g. the classification head), and split parameters into optimizer groups with their own
 * learning rates.
 */
import { TsgradError } from '../core/errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import type { Parameter } from './parameter.js';

/**
 * A name pattern: a RegExp, or a string where `*` matches any run of characters; a plain string also
 * matches everything below it ('layer1' matches 'layer1.0.conv1.weight').
 */
export type NamePattern = string | RegExp;

/** True when a dotted parameter name matches any of the patterns. */
export function matchesName(name: string, patterns: NamePattern | readonly NamePattern[]): boolean {
  const list = Array.isArray(patterns) ? patterns : [patterns as NamePattern];
  return list.some((p) => {
    if (p instanceof RegExp) return p.test(name);
    const re = new RegExp(`^${p.split('*').map((s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}(\\..*)?$`);
    return re.test(name);
  });
}

function setRequiresGrad(model: Module, patterns: NamePattern | readonly NamePattern[], on: boolean, op: string): string[] {
  const hit: string[] = [];
  for (const [name, p] of model.namedParameters()) {
    if (matchesName(name, patterns)) {
      p.requiresGrad = on;
      hit.push(name);
    }
  }
  if (hit.length === 0) throw new TsgradError(`${op}: no parameter of ${model.constructor.name} matches ${String(patterns)}`);
  return hit;
}

/** Stops gradients for the parameters whose names match; returns their names. */
export function freeze(model: Module, patterns: NamePattern | readonly NamePattern[] = '*'): string[] {
  return setRequiresGrad(model, patterns, false, 'freeze');
}

/** Lets gradients flow again for the parameters whose names match; returns their names. */
export function unfreeze(model: Module, patterns: NamePattern | readonly NamePattern[] = '*'): string[] {
  return setRequiresGrad(model, patterns, true, 'unfreeze');
}

/** The parameters that still require gradients (for an optimizer after freezing). */
export function trainableParameters(model: Module): Parameter[] {
  return [...model.namedParameters()].filter(([, p]) => p.requiresGrad).map(([, p]) => p);
}

/** Replaces the submodule at a dotted path (e.g. 'fc' or 'classifier.6'); returns the old one. */
export function replaceModule(model: Module, path: string, replacement: Module): Module {
  if (!(replacement instanceof Module)) throw new TsgradError(`replaceModule: the replacement for "${path}" is not a Module`);
  const i = path.lastIndexOf('.');
  const parent = model.getSubmodule(i < 0 ? '' : path.slice(0, i));
  const leaf = path.slice(i + 1);
  const old = model.getSubmodule(path);
  parent.registerModule(leaf, replacement);
  return old;
}

/** One rule of paramGroups: parameters matching `match` (all remaining ones when absent) and their options. */
export type GroupRule<H> = Partial<H> & { match?: NamePattern | readonly NamePattern[] };

/**
 * Splits the trainable parameters into optimizer groups: each goes to the first rule it matches
 * (a rule without `match` takes the rest). Empty groups are dropped. Pass the result to an optimizer:
 * `new Adam(paramGroups(model, [{ match: 'fc', lr: 1e-3 }, { lr: 1e-4 }]))`.
 */
export function paramGroups<H extends object>(model: Module, rules: readonly GroupRule<H>[]): (Partial<H> & { params: Tensor[] })[] {
  const groups = rules.map(() => [] as Tensor[]);
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue;
    const k = rules.findIndex((r) => r.match === undefined || matchesName(name, r.match));
    if (k >= 0) groups[k]!.push(p);
  }
  const out: (Partial<H> & { params: Tensor[] })[] = [];
  rules.forEach((r, k) => {
    if (groups[k]!.length === 0) return;
    const { match: _match, ...opts } = r;
    out.push({ ...(opts as unknown as Partial<H>), params: groups[k]! });
  });
  return out;
}
