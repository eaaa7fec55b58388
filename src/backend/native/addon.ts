import type { Storage } from '../../core/dtype.js';
import { KERNELS, SUB_OPS } from '../kernels.js';

/** The code tables an addon was compiled with (native/kernel_codes.h): names indexed by code. */
export interface AddonCodes {
  kernels: string[];
  unary: string[];
  binary: string[];
  reduce: string[];
  activation: string[];
  argReduce: string[];
  /** Most dims a view may have on this addon. */
  maxDims: number;
}

/** The functions the compiled addon (build/Release/tsgrad_native.node) exports. */
export interface NativeAddon {
  /** Runs kernel `code` on views described by `meta`; false means "not handled, use ref". */
  run(code: number, meta: Float64Array, ...data: Storage[]): boolean;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** 'avx2+fma' or 'scalar': the SIMD path chosen at run time. */
  simd(): string;
  /** The kernel and sub-op codes compiled in, checked against the kernel table at load. */
  codes(): AddonCodes;
  /** The vector ISA the kernels run ('avx512', 'avx2', 'portable'); isa('host'): the widest the CPU supports. */
  isa?(which?: 'host'): string;
}

/** Why an addon's compiled codes disagree with the kernel table (kernels.ts), or '' when they agree. */
export function codesMismatch(codes: AddonCodes | undefined): string {
  if (!codes || !Array.isArray(codes.kernels)) return 'it exports no codes() table (built before the kernel table existed)';
  const expected: [string, readonly string[]][] = [['kernels', KERNELS.map((k) => k.name)], ...Object.entries(SUB_OPS)];
  for (const [list, names] of expected) {
    const got = (codes as unknown as Record<string, unknown>)[list];
    if (!Array.isArray(got)) return `its codes() has no ${list} list`;
    for (let i = 0; i < Math.max(got.length, names.length); i++) {
      if (got[i] !== names[i]) {
        return `${list} code ${i} is ${JSON.stringify(got[i])} in the addon but ${JSON.stringify(names[i])} in src/backend/kernels.ts`;
      }
    }
  }
  return '';
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
    const why = codesMismatch(typeof addon.codes === 'function' ? addon.codes() : undefined);
    if (why) throw new Error(`kernel codes do not match the kernel table: ${why}; rebuild it (node tools/build-native.mjs)`);
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
