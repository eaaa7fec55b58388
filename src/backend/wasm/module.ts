// Loading and instantiating the wasm kernel module (native/wasm/tsgrad.wasm, built by
// tools/build-wasm.mjs from the native kernel sources). Node reads the file synchronously;
// browsers call loadWasm() (fetch + compile) before selecting the backend.

// The few WebAssembly JS API shapes used here, typed locally: the project compiles against
// ES2022 + Node types, which do not declare the WebAssembly global.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
/** A compiled WebAssembly.Module (opaque here). */
export type WasmModule = object;
type ImportFn = (...args: number[]) => number;
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array | ArrayBuffer) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, ImportFn>>) => { exports: Record<string, unknown> };
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModule>;
}
const WA = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** The functions native/wasm/entry.cc exports. */
export interface WasmKernels {
  readonly memory: WasmMemory;
  /** 64-byte aligned block of `bytes` in linear memory; 0 when out of memory. */
  tg_alloc(bytes: number): number;
  tg_free(ptr: number): void;
  /** Address of the last error message (NUL-terminated). */
  tg_error(): number;
  /** 1: ran, 0: left to ref, -1: bad input (see tg_error). */
  tg_run(kernel: number, meta: number, metaLen: number, ptrs: number, lens: number, dtypes: number): number;
}

interface NodeFs {
  existsSync(p: string): boolean;
  readFileSync(p: string): Uint8Array;
}

let kernels: WasmKernels | null = null;
let failure = '';

/** Where the module sits relative to this file (dist/src/backend/wasm/ -> native/wasm/), as an absolute URL. */
export function wasmUrl(): string {
  return new URL('../../../../native/wasm/tsgrad.wasm', import.meta.url).href;
}

// The module is a WASI reactor; its libc imports a few WASI calls it never makes on the kernel
// paths (stdio for printf). They are answered with ENOSYS instead of pulling in a WASI host.
const ENOSYS = 52;
const wasiStubs: Record<string, ImportFn> = {
  fd_close: () => ENOSYS,
  fd_seek: () => ENOSYS,
  fd_write: () => ENOSYS,
  proc_exit: (code: number) => {
    throw new Error(`tsgrad wasm: the module called exit(${code})`);
  },
};

/** Instantiates a compiled module: imports answered, reactor initialised. */
export function instantiate(module: WasmModule): WasmKernels {
  if (!WA) throw new Error('tsgrad wasm: this JavaScript engine has no WebAssembly');
  const inst = new WA.Instance(module, { wasi_snapshot_preview1: wasiStubs });
  const ex = inst.exports as unknown as WasmKernels & { _initialize?: () => void };
  ex._initialize?.();
  return ex;
}

/** Node's built-in modules without a static import, so browsers can still load this file. */
function builtin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.(id) as T | undefined;
}

/** The instantiated module, loading it synchronously in Node ($TSGRAD_WASM_PATH overrides the file); null (see wasmLoadError) when unavailable. */
export function wasmKernels(): WasmKernels | null {
  if (kernels) return kernels;
  if (failure) return null;
  if (!WA) {
    failure = 'this JavaScript engine has no WebAssembly';
    return null;
  }
  const fs = builtin<NodeFs>('node:fs');
  if (!fs) {
    failure = 'call `await loadWasm()` before selecting the wasm backend in a browser';
    return null;
  }
  const fromEnv = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['TSGRAD_WASM_PATH'];
  const path = fromEnv || decodeURIComponent(new URL(wasmUrl()).pathname);
  try {
    kernels = instantiate(new WA.Module(fs.readFileSync(path)));
  } catch (e) {
    failure = `cannot load ${path}: ${(e as Error).message.split('\n')[0]}`;
  }
  return kernels;
}

/**
 * Fetches and compiles the wasm module (browsers; also works in Node). `source` overrides
 * where it comes from: a URL (e.g. where a bundler put tsgrad.wasm) or the bytes themselves.
 */
export async function loadWasm(source?: string | { readonly href: string } | ArrayBuffer | Uint8Array): Promise<void> {
  if (kernels) return;
  if (!WA) throw new Error('tsgrad wasm: this JavaScript engine has no WebAssembly');
  let module: WasmModule;
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) {
    module = await WA.compile(source);
  } else {
    const url = source === undefined ? wasmUrl() : typeof source === 'string' ? source : source.href;
    if (builtin('node:fs') && url.startsWith('file:')) {
      const k = wasmKernels();
      if (!k) throw new Error(`tsgrad wasm: ${failure}`);
      return;
    }
    const res = await fetch(url);
    if (!res.ok) throw new Error(`tsgrad wasm: fetching ${url} failed: HTTP ${res.status}`);
    module = await WA.compile(await res.arrayBuffer());
  }
  kernels = instantiate(module);
  failure = '';
}

/** Why the wasm module is unavailable ('' when it loaded or was not tried). */
export function wasmLoadError(): string {
  return failure;
}
