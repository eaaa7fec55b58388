import type { Storage } from '../../core/dtype.js';

/** The functions the compiled addon (build/Release/tsgrad_native.node) exports. */
export interface NativeAddon {
  /** Runs kernel `code` on views described by `meta`; false means "not handled, use ref". */
  run(code: number, meta: Float64Array, ...data: Storage[]): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** 'avx2+fma' or 'scalar': the SIMD path chosen at run time. */
  simd(): string;
}

interface NodeFs {
  existsSync(p: string): boolean;
}
interface NodeModule {
  createRequire(from: string): (id: string) => unknown;
}

let loaded: NativeAddon | null | undefined;
let failure = '';

/** Node's built-in modules without a static import, so browsers can still load this file. */
function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

/** The package root: the nearest folder above this file that holds package.json. */
function packageRoot(fs: NodeFs): string | null {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 12; i++) {
    if (fs.existsSync(new URL('package.json', dir).pathname)) return decodeURIComponent(dir.pathname);
    const up = new URL('..', dir);
    if (up.href === dir.href) break;
    dir = up;
  }
  return null;
}

/** Path of the addon: $TSGRAD_NATIVE_PATH, else <package root>/build/Release/tsgrad_native.node. */
export function addonPath(): string | null {
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['TSGRAD_NATIVE_PATH'];
  if (fromEnv) return fromEnv;
  const fs = builtin<NodeFs>('node:fs');
  if (!fs) return null;
  const root = packageRoot(fs);
  return root === null ? null : `${root}build/Release/tsgrad_native.node`;
}

/** Loads the addon once; null (with the reason in loadFailure()) when it is missing or broken. */
export function loadAddon(): NativeAddon | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const mod = builtin<NodeModule>('node:module');
  const path = addonPath();
  if (!mod || path === null) {
    failure = 'not running in Node';
    return null;
  }
  try {
    const addon = mod.createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon.run !== 'function') throw new Error('the addon exports no run()');
    loaded = addon;
  } catch (e) {
    failure = `cannot load ${path}: ${(e as Error).message.split('\n')[0]}`;
  }
  return loaded;
}

/** Why the addon did not load ('' when it did or was not tried). */
export function loadFailure(): string {
  return failure;
}
