import type { AdamStepParams, Backend, Conv2dParams, Pool2dParams, SgdStepParams, View } from '../backend.js';
import { KERNELS, SUB_OP_CODES, type ArgSpec, type KernelSpec } from '../kernels.js';
import { refBackend } from '../ref/index.js';
import { registerBackend } from '../registry.js';
import { wasmBackend, wasmLoadError } from '../wasm/index.js';
import { loadAddon, loadFailure, type NativeAddon } from './addon.js';

// One reusable metadata buffer: [nviews, per view nd, shape, offset, strides, then params].
let meta = new Float64Array(256);

function encode(views: readonly View[], nviews: number, params: readonly number[], nparams: number): Float64Array {
  let size = 1 + nparams;
  for (let i = 0; i < nviews; i++) size += 2 + 2 * views[i]!.shape.length;
  if (size > meta.length) meta = new Float64Array(size * 2);
  const m = meta;
  let p = 0;
  m[p++] = nviews;
  for (let i = 0; i < nviews; i++) {
    const v = views[i]!;
    const nd = v.shape.length;
    m[p++] = nd;
    for (let d = 0; d < nd; d++) m[p++] = v.shape[d]!;
    m[p++] = v.offset;
    for (let d = 0; d < nd; d++) m[p++] = v.strides[d]!;
  }
  for (let i = 0; i < nparams; i++) m[p++] = params[i]!;
  return m.length === p ? m : m.subarray(0, p);
}

/** Appends one argument's numbers to the native parameter list (kernels.ts fixes the layout). */
function pushParam(a: Exclude<ArgSpec, { kind: 'view' }>, value: unknown, out: number[]): void {
  switch (a.kind) {
    case 'op': out.push((SUB_OP_CODES[a.table] as Record<string, number>)[value as string] ?? -1); return;
    case 'dim': out.push(value as number); return;
    case 'dims': {
      const dims = value as readonly number[];
      out.push(dims.length);
      for (const d of dims) out.push(d);
      return;
    }
    case 'number': out.push((value as number | undefined) ?? 0); return;
    case 'bool': out.push(value ? 1 : 0); return;
    case 'conv2d': {
      const p = value as Conv2dParams;
      out.push(p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups);
      return;
    }
    case 'pool2d': {
      const p = value as Pool2dParams;
      out.push(p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.countIncludePad ? 1 : 0);
      return;
    }
    case 'adam': {
      const h = value as AdamStepParams;
      out.push(h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.stepSize, h.bc2Sqrt, h.decoupled ? 1 : 0, h.maximize ? 1 : 0);
      return;
    }
    case 'sgd': {
      const h = value as SgdStepParams;
      out.push(h.lr, h.momentum, h.dampening, h.weightDecay, h.nesterov ? 1 : 0, h.maximize ? 1 : 0, h.firstStep ? 1 : 0);
      return;
    }
  }
}

/** Why native calls went to a ref kernel, counted per reason (see nativeFallbacks()). */
export interface NativeFallbacks {
  /** Valid calls whose dtype/layout the C++ kernel does not take (docs/native-backend.md lists them). */
  notHandled: number;
  /** Calls with a view of more than the addon's maximum rank (16): run by ref, by design. */
  rank: number;
  /** The same counts per kernel name ('reason:kernel'). */
  byKernel: Record<string, number>;
}

const counts: NativeFallbacks = { notHandled: 0, rank: 0, byKernel: {} };

function countFallback(reason: 'notHandled' | 'rank', kernel: string): void {
  counts[reason]++;
  const key = `${reason}:${kernel}`;
  counts.byKernel[key] = (counts.byKernel[key] ?? 0) + 1;
}

type Method = (...args: unknown[]) => unknown;

/**
 * The native encoding of one call (docs/native-backend.md, "The dispatcher"): the metadata and
 * the views' storage, for hosts and tests that call a dispatcher directly (e.g. a wasm module).
 */
export function encodeCall(spec: KernelSpec, values: readonly unknown[]): { meta: Float64Array; data: View['data'][] } {
  const views: View[] = [];
  const params: number[] = [];
  spec.args.forEach((a, i) => {
    const value = values[i];
    if (a.kind === 'view') {
      if (value !== null && value !== undefined) views.push(value as View);
    } else {
      pushParam(a, value, params);
    }
  });
  return { meta: encode(views, views.length, params, params.length).slice(), data: views.map((v) => v.data) };
}

/**
 * One Backend method from its kernel spec: encodes the views and parameters in the table's
 * order, runs the C++ kernel, and hands the call to the ref kernel when the kernel declines it
 * (a fused kernel returns false instead) or when a view's rank exceeds what the addon takes.
 */
function nativeMethod(addon: NativeAddon, spec: KernelSpec, maxDims: number): Method {
  const { code, args, fused } = spec;
  const fallback = fused ? null : (refBackend[spec.name] as Method).bind(refBackend);
  const views: View[] = [];
  const params: number[] = [];
  return (...values: unknown[]): unknown => {
    views.length = 0;
    params.length = 0;
    let tooDeep = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const value = values[i];
      if (a.kind === 'view') {
        if (value === null || value === undefined) continue;
        const v = value as View;
        if (v.shape.length > maxDims) tooDeep = true;
        views.push(v);
      } else {
        pushParam(a, value, params);
      }
    }
    let done = false;
    if (tooDeep) {
      countFallback('rank', spec.name);
    } else {
      const m = encode(views, views.length, params, params.length);
      switch (views.length) {
        case 1: done = addon.run(code, m, views[0]!.data); break;
        case 2: done = addon.run(code, m, views[0]!.data, views[1]!.data); break;
        case 3: done = addon.run(code, m, views[0]!.data, views[1]!.data, views[2]!.data); break;
        case 4: done = addon.run(code, m, views[0]!.data, views[1]!.data, views[2]!.data, views[3]!.data); break;
        default: done = addon.run(code, m, ...views.map((v) => v.data));
      }
      if (!done) countFallback('notHandled', spec.name);
    }
    if (fused) return done;
    if (!done) fallback!(...values);
    return undefined;
  };
}

/**
 * Builds the native backend over a loaded addon: one method per kernel of the table. Each
 * runs the C++ kernel in place on the views' typed arrays; when the kernel reports a
 * dtype/layout combination it does not handle (see docs/native-backend.md), the ref kernel
 * runs instead.
 */
function makeNativeBackend(addon: NativeAddon): Backend {
  const maxDims = addon.codes().maxDims;
  const be: Record<string, unknown> = { name: 'native' };
  for (const spec of KERNELS) be[spec.name] = nativeMethod(addon, spec, maxDims);
  return be as unknown as Backend;
}

let backend: Backend | null = null;

/** How many native calls have been handed to a ref kernel so far (declined combinations and over-deep views). */
export function nativeFallbackCount(): number {
  return counts.notHandled + counts.rank;
}

/** A copy of the native fallback counters, per reason and per kernel. */
export function nativeFallbacks(): NativeFallbacks {
  return { notHandled: counts.notHandled, rank: counts.rank, byKernel: { ...counts.byKernel } };
}
let warned = false;

/** The native backend, or null when the addon is not available (see nativeLoadError()). */
export function nativeBackend(): Backend | null {
  if (backend) return backend;
  const addon = loadAddon();
  if (addon) backend = makeNativeBackend(addon);
  return backend;
}

/** Why the native addon is unavailable ('' when it loaded or was never tried). */
export function nativeLoadError(): string {
  return loadFailure();
}

/** Sets how many threads native kernels use (default: TSGRAD_NUM_THREADS or the number of cores). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${n}`);
  loadAddon()?.setNumThreads(n);
}

/** Threads native kernels use (1 when the addon is not loaded). */
export function getNumThreads(): number {
  return loadAddon()?.getNumThreads() ?? 1;
}

/** The SIMD path native kernels chose at run time ('avx2+fma' or 'scalar'), or null without the addon. */
export function nativeSimd(): string | null {
  return loadAddon()?.simd() ?? null;
}

/** Which vector ISA path native kernels run ('avx512', 'avx2' or 'portable'; TSGRAD_ISA lowers it), or null without the addon. */
export function nativeIsa(): NativeIsa | null {
  const a = loadAddon();
  return a?.isa ? (a.isa() as NativeIsa) : null;
}

/** The widest vector ISA path this CPU and OS support, whatever TSGRAD_ISA says, or null without the addon. */
export function nativeHostIsa(): NativeIsa | null {
  const a = loadAddon();
  return a?.isa ? (a.isa('host') as NativeIsa) : null;
}

/** A native kernel ISA path, widest first. */
export type NativeIsa = 'avx512' | 'avx2' | 'portable';

// Preferred in Node; when the addon cannot load, selecting 'native' gives the wasm
// backend (the same kernels compiled to wasm), or ref when that cannot load either,
// and one line on stderr says which and why.
const inNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
if (inNode) {
  registerBackend('native', () => {
    const be = nativeBackend();
    if (be) return be;
    const wasm = wasmBackend();
    if (!warned) {
      warned = true;
      const instead = wasm ? 'the wasm backend' : `the ref backend (wasm unavailable too: ${wasmLoadError()})`;
      process.stderr.write(`tsgrad: native backend unavailable (${loadFailure()}); using ${instead}.\n`);
    }
    return wasm ?? refBackend;
  }, true, () => (nativeBackend() ? null : `native addon not loaded: ${loadFailure()}`));
}
