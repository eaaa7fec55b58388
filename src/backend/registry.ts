import { TsgradError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { validated } from './validate.js';

const backends = new Map<string, () => Backend>();
const probes = new Map<string, () => string | null>();
let current: Backend | null = null;
let currentRaw: Backend | null = null;
let defaultName = 'ref';
let validation = true;

/**
 * Makes a backend selectable by name; `factory` runs on first use. `unavailable` says why the
 * backend cannot run here (null when it can): the op suite (tests/backends.ts) fails on such a
 * backend unless TSGRAD_ALLOW_NO_<NAME>=1 says that is expected.
 */
export function registerBackend(name: string, factory: () => Backend, preferred = false, unavailable?: () => string | null): void {
  backends.set(name, factory);
  if (unavailable) probes.set(name, unavailable);
  if (preferred) defaultName = name;
}

/** Why the named backend cannot run here, or null when it can (or does not say). */
export function backendUnavailable(name: string): string | null {
  return probes.get(name)?.() ?? null;
}

/** Selects the backend all later ops run on ('ref', 'native', ...). */
export function setBackend(name: string): Backend {
  const factory = backends.get(name);
  if (!factory) {
    throw new TsgradError(`setBackend: unknown backend ${JSON.stringify(name)}; available: ${[...backends.keys()].join(', ')}`);
  }
  currentRaw = factory();
  current = validation ? validated(currentRaw) : currentRaw;
  return current;
}

/**
 * Turns the boundary checks (validate.ts) on or off for the backend selected now and later.
 * On by default; off exists only to measure what the checks cost (bench, tests). Returns the
 * previous setting.
 */
export function setBackendValidation(enabled: boolean): boolean {
  const prev = validation;
  validation = enabled;
  if (currentRaw) current = enabled ? validated(currentRaw) : currentRaw;
  return prev;
}

/** The backend ops run on now, wrapped in the boundary checks of validate.ts. */
export function getBackend(): Backend {
  if (current === null) {
    const fromEnv = typeof process !== 'undefined' ? process.env?.['TSGRAD_BACKEND'] : undefined;
    setBackend(fromEnv && backends.has(fromEnv) ? fromEnv : defaultName);
  }
  return current!;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}
