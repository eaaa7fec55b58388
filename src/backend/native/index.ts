import type { Backend, Conv2dParams, Pool2dParams, View } from '../backend.js';
import { refBackend } from '../ref/index.js';
import { registerBackend } from '../registry.js';
import { wasmBackend, wasmLoadError } from '../wasm/index.js';
import { loadAddon, loadFailure, type NativeAddon } from './addon.js';
import { ACTIVATION_CODE, BINARY_CODE, Kernel, REDUCE_CODE, UNARY_CODE } from './codes.js';

// One reusable metadata buffer: [nviews, per view nd, shape, offset, strides, then params].
let meta = new Float64Array(256);

function encode(views: readonly View[], params: readonly number[]): Float64Array {
  let size = 1 + params.length;
  for (const v of views) size += 2 + 2 * v.shape.length;
  if (size > meta.length) meta = new Float64Array(size * 2);
  const m = meta;
  let p = 0;
  m[p++] = views.length;
  for (const v of views) {
    const nd = v.shape.length;
    m[p++] = nd;
    for (let d = 0; d < nd; d++) m[p++] = v.shape[d]!;
    m[p++] = v.offset;
    for (let d = 0; d < nd; d++) m[p++] = v.strides[d]!;
  }
  for (const x of params) m[p++] = x;
  return m;
}

function convParams(p: Conv2dParams): number[] {
  return [p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups];
}

function poolParams(p: Pool2dParams): number[] {
  return [p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.countIncludePad ? 1 : 0];
}

/**
 * Builds the native backend over a loaded addon. Each method runs the C++
 * kernel in place on the views' typed arrays; when the kernel reports a
 * dtype/layout combination it does not handle (see docs/native-backend.md),
 * the ref kernel runs instead.
 */
function makeNativeBackend(addon: NativeAddon): Backend {
  const run = (code: number, views: readonly View[], params: readonly number[] = []): boolean => {
    const m = encode(views, params);
    let done: boolean;
    switch (views.length) {
      case 1: done = addon.run(code, m, views[0]!.data); break;
      case 2: done = addon.run(code, m, views[0]!.data, views[1]!.data); break;
      case 3: done = addon.run(code, m, views[0]!.data, views[1]!.data, views[2]!.data); break;
      default: done = addon.run(code, m, ...views.map((v) => v.data));
    }
    if (!done) fallbacks++;
    return done;
  };
  return {
    name: 'native',
    copy(src, out) {
      if (!run(Kernel.Copy, [src, out])) refBackend.copy(src, out);
    },
    fill(out, value) {
      if (!run(Kernel.Fill, [out], [value])) refBackend.fill(out, value);
    },
    unary(op, x, out, alpha = 0, beta = 0) {
      if (!run(Kernel.Unary, [x, out], [UNARY_CODE[op], alpha, beta])) refBackend.unary(op, x, out, alpha, beta);
    },
    binary(op, a, b, out) {
      if (!run(Kernel.Binary, [a, b, out], [BINARY_CODE[op]])) refBackend.binary(op, a, b, out);
    },
    where(cond, a, b, out) {
      if (!run(Kernel.Where, [cond, a, b, out])) refBackend.where(cond, a, b, out);
    },
    activationBackward(op, g, x, y, out, alpha = 0) {
      if (!run(Kernel.ActivationBackward, [g, x, y, out], [ACTIVATION_CODE[op], alpha])) refBackend.activationBackward(op, g, x, y, out, alpha);
    },
    softmax(x, dim, log, out) {
      if (!run(Kernel.Softmax, [x, out], [dim, log ? 1 : 0])) refBackend.softmax(x, dim, log, out);
    },
    softmaxBackward(g, y, dim, log, out) {
      if (!run(Kernel.SoftmaxBackward, [g, y, out], [dim, log ? 1 : 0])) refBackend.softmaxBackward(g, y, dim, log, out);
    },
    reduce(op, x, dims, out) {
      if (!run(Kernel.Reduce, [x, out], [REDUCE_CODE[op], dims.length, ...dims])) refBackend.reduce(op, x, dims, out);
    },
    argReduce(op, x, dim, out) {
      if (!run(Kernel.ArgReduce, [x, out], [op === 'argmax' ? 1 : 0, dim])) refBackend.argReduce(op, x, dim, out);
    },
    matmul(a, b, out) {
      if (!run(Kernel.Matmul, [a, b, out])) refBackend.matmul(a, b, out);
    },
    conv2d(x, w, out, p, bias) {
      if (!run(Kernel.Conv2d, bias ? [x, w, out, bias] : [x, w, out], convParams(p))) refBackend.conv2d(x, w, out, p, bias);
    },
    conv2dBackwardInput(gy, w, gx, p) {
      if (!run(Kernel.Conv2dBackwardInput, [gy, w, gx], convParams(p))) refBackend.conv2dBackwardInput(gy, w, gx, p);
    },
    conv2dBackwardWeight(x, gy, gw, p) {
      if (!run(Kernel.Conv2dBackwardWeight, [x, gy, gw], convParams(p))) refBackend.conv2dBackwardWeight(x, gy, gw, p);
    },
    maxPool2d(x, out, argmax, p) {
      if (!run(Kernel.MaxPool2d, [x, out, argmax], poolParams(p))) refBackend.maxPool2d(x, out, argmax, p);
    },
    maxPool2dBackward(gy, argmax, gx, p) {
      if (!run(Kernel.MaxPool2dBackward, [gy, argmax, gx], poolParams(p))) refBackend.maxPool2dBackward(gy, argmax, gx, p);
    },
    avgPool2d(x, out, p) {
      if (!run(Kernel.AvgPool2d, [x, out], poolParams(p))) refBackend.avgPool2d(x, out, p);
    },
    avgPool2dBackward(gy, gx, p) {
      if (!run(Kernel.AvgPool2dBackward, [gy, gx], poolParams(p))) refBackend.avgPool2dBackward(gy, gx, p);
    },
    gather(x, dim, index, out) {
      if (!run(Kernel.Gather, [x, index, out], [dim])) refBackend.gather(x, dim, index, out);
    },
    scatterAdd(out, dim, index, src) {
      if (!run(Kernel.ScatterAdd, [out, index, src], [dim])) refBackend.scatterAdd(out, dim, index, src);
    },
    channelStats(x, mean, variance) {
      if (!run(Kernel.ChannelStats, [x, mean, variance])) refBackend.channelStats(x, mean, variance);
    },
    channelGradSums(gy, x, mean, sumGy, sumGyXmu) {
      if (!run(Kernel.ChannelGradSums, [gy, x, mean, sumGy, sumGyXmu])) refBackend.channelGradSums(gy, x, mean, sumGy, sumGyXmu);
    },
    channelAffine(x, a, d, out, y, b) {
      const views = y && b ? [x, a, d, out, y, b] : [x, a, d, out];
      if (!run(Kernel.ChannelAffine, views)) refBackend.channelAffine(x, a, d, out, y, b);
    },
    adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, h) {
      const views = maxExpAvgSq ? [param, grad, expAvg, expAvgSq, maxExpAvgSq] : [param, grad, expAvg, expAvgSq];
      const b = (x: boolean): number => (x ? 1 : 0);
      return run(Kernel.AdamStep, views, [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.stepSize, h.bc2Sqrt, b(h.decoupled), b(h.maximize)]);
    },
    sgdStep(param, grad, momentumBuf, h) {
      const views = momentumBuf ? [param, grad, momentumBuf] : [param, grad];
      const b = (x: boolean): number => (x ? 1 : 0);
      return run(Kernel.SgdStep, views, [h.lr, h.momentum, h.dampening, h.weightDecay, b(h.nesterov), b(h.maximize), b(h.firstStep)]);
    },
  };
}

let backend: Backend | null = null;
let fallbacks = 0;

/** How many native calls have been handed to a ref kernel so far (unsupported dtype/layout combinations). */
export function nativeFallbackCount(): number {
  return fallbacks;
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
  }, true);
}
