// The op-suite harness: which backends the suite runs on, what each may skip, and a checked
// way to run code on one of them. A backend plugs in by registering itself (registerBackend,
// with an `unavailable` probe); nothing here names it except its skip list and traits.
// See docs/notes/architecture.md ("Adding a backend").
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import * as tg from '../src/index.js';
import { backendUnavailable } from '../src/backend/registry.js';

/** What a backend can do that the suite depends on; defaults: everything. */
export interface BackendTraits {
  /** Has float64 kernels: the float64 gradchecks and fixtures run on it. */
  readonly float64: boolean;
}

/** Traits of backends that lack something (a WebGPU backend has no float64, for example). */
const TRAITS: Readonly<Record<string, BackendTraits>> = {};

/**
 * Suite entries each backend skips, as `<suite>/<case>` ids (e.g. 'fixtures/conv.float32.strided').
 * The lists may only shrink: tests/backend/harness.test.ts fails when an entry is not in the
 * committed baseline tests/fixtures/backends/skips.baseline.json.
 */
export const SKIPS: Readonly<Record<string, readonly string[]>> = {
  ref: [],
  native: [],
  // wasm's initial list (it registered before the harness existed). The nn/optim/layers rerun fails
  // one test on wasm: layers/train-mlp-layers "stops with a clear error when the loss stops being
  // finite" (lr 1e30 gives a NaN/infinite loss whose error differs from ref's). Remove the entry
  // once that passes; the rest of the suite (fixtures, gradchecks, fuzz) runs on wasm.
  wasm: ['suite/nn-optim-layers'],
};

/** The traits of a backend. */
export function traits(name: string): BackendTraits {
  return TRAITS[name] ?? { float64: true };
}

/** Names of the backends the op suite runs on: every registered one (TSGRAD_TEST_BACKENDS narrows it). */
export function suiteBackends(): string[] {
  const only = process.env['TSGRAD_TEST_BACKENDS'];
  const all = tg.listBackends();
  return only ? all.filter((b) => only.split(',').includes(b)) : all;
}

/** The env switch that lets the suite run without a backend: TSGRAD_ALLOW_NO_NATIVE for 'native'. */
export function allowMissingVar(name: string): string {
  return `TSGRAD_ALLOW_NO_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Why a backend's part of the suite must not run, or false when it must. A backend that cannot
 * run here fails the suite, unless its TSGRAD_ALLOW_NO_<NAME>=1 switch is set: then its tests
 * are skipped and say why.
 */
export function unavailableSkip(name: string): string | false {
  const why = backendUnavailable(name);
  if (why === null) return false;
  if (process.env[allowMissingVar(name)] === '1') return `${why} (${allowMissingVar(name)}=1)`;
  return false; // runs, and withBackend fails it with the reason
}

/** Skip reason for one suite entry on a backend: its skip list, a missing trait, or its switch. */
export function skipFor(backend: string, id: string, needs: Partial<BackendTraits> = {}): string | false {
  const missing = unavailableSkip(backend);
  if (missing) return missing;
  if (SKIPS[backend]?.includes(id)) return `${id} is on the ${backend} skip list (tests/backends.ts)`;
  if (needs.float64 && !traits(backend).float64) return `${backend} has no float64`;
  return false;
}

/**
 * Runs `fn` with the named backend selected and asserts that the backend running is the one
 * asked for (a backend that failed to load otherwise hands its calls to another silently).
 */
export function onBackend<T>(name: string, fn: () => T): T {
  const prev = tg.getBackend().name;
  const be = tg.setBackend(name);
  try {
    if (be.name !== name) {
      const why = backendUnavailable(name) ?? `setBackend('${name}') gave '${be.name}'`;
      assert.fail(`the suite asked for backend '${name}' but runs '${be.name}': ${why}. Fix the backend, or set ${allowMissingVar(name)}=1 to run without it.`);
    }
    return fn();
  } finally {
    tg.setBackend(prev);
  }
}

/** describe() once per suite backend, titled `<title> [<backend>]`. */
export function describeEachBackend(title: string, body: (backend: string) => void): void {
  for (const backend of suiteBackends()) {
    describe(`${title} [${backend}]`, { skip: unavailableSkip(backend) }, () => body(backend));
  }
}
