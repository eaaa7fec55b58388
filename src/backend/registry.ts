import { TsgradError } from '../core/errors.js';
import type { Backend } from './backend.js';

const backends = new Map<string, () => Backend>();
let current: Backend | null = null;
let defaultName = 'ref';

/** Makes a backend selectable by name; `factory` runs on first use. */
export function registerBackend(name: string, factory: () => Backend, preferred = false): void {
  backends.set(name, factory);
  if (preferred) defaultName = name;
}

/** Selects the backend all later ops run on ('ref', 'native', ...). */
export function setBackend(name: string): Backend {
  const factory = backends.get(name);
  if (!factory) {
    throw new TsgradError(`setBackend: unknown backend ${JSON.stringify(name)}; available: ${[...backends.keys()].join(', ')}`);
  }
  current = factory();
  return current;
}

/** The backend ops run on now. */
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
