import type { Backend, Conv2dParams, Pool2dParams, View } from '../backend.js';
import { ACTIVATION_CODE, BINARY_CODE, Kernel, REDUCE_CODE, UNARY_CODE } from '../native/codes.js';
import { refBackend } from '../ref/index.js';
import { registerBackend } from '../registry.js';
import { wasmKernels, wasmLoadError, type WasmKernels } from './module.js';
import { Stager, type ViewRole } from './stage.js';

export { loadWasm, wasmLoadError } from './module.js';

function convParams(p: Conv2dParams): number[] {
  return [p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.dilation[0], p.dilation[1], p.groups];
}

function poolParams(p: Pool2dParams): number[] {
  return [p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0], p.padding[1], p.countIncludePad ? 1 : 0];
}

const b = (x: boolean): number => (x ? 1 : 0);

/**
 * Builds the wasm backend: the native kernels compiled to wasm32 + SIMD128, run on staged copies
 * of the views (see stage.ts). Like native, a dtype/layout combination a kernel does not handle
 * goes to the ref kernel.
 */
function makeWasmBackend(k: WasmKernels): Backend {
  const st = new Stager(k);
  // `outs`: views the kernel writes; `full`: it writes every element of them ('out', else 'inout').
  const run = (code: number, views: readonly View[], params: readonly number[], outs: readonly number[], full = false): boolean => {
    const roles = views.map((_, i): ViewRole => (outs.includes(i) ? (full ? 'out' : 'inout') : 'in'));
    const done = st.run(code, views, params, roles);
    if (!done) fallbacks++;
    return done;
  };
  const O0 = [0], O1 = [1], O2 = [2], O3 = [3];
  return {
    name: 'wasm',
    copy(src, out) {
      if (!run(Kernel.Copy, [src, out], [], O1, true)) refBackend.copy(src, out);
    },
    fill(out, value) {
      if (!run(Kernel.Fill, [out], [value], O0, true)) refBackend.fill(out, value);
    },
    unary(op, x, out, alpha = 0, beta = 0) {
      if (!run(Kernel.Unary, [x, out], [UNARY_CODE[op], alpha, beta], O1, true)) refBackend.unary(op, x, out, alpha, beta);
    },
    binary(op, a, bb, out) {
      if (!run(Kernel.Binary, [a, bb, out], [BINARY_CODE[op]], O2, true)) refBackend.binary(op, a, bb, out);
    },
    where(cond, a, bb, out) {
      if (!run(Kernel.Where, [cond, a, bb, out], [], O3, true)) refBackend.where(cond, a, bb, out);
    },
    activationBackward(op, g, x, y, out, alpha = 0) {
      if (!run(Kernel.ActivationBackward, [g, x, y, out], [ACTIVATION_CODE[op], alpha], O3, true)) refBackend.activationBackward(op, g, x, y, out, alpha);
    },
    softmax(x, dim, log, out) {
      if (!run(Kernel.Softmax, [x, out], [dim, b(log)], O1, true)) refBackend.softmax(x, dim, log, out);
    },
    softmaxBackward(g, y, dim, log, out) {
      if (!run(Kernel.SoftmaxBackward, [g, y, out], [dim, b(log)], O2, true)) refBackend.softmaxBackward(g, y, dim, log, out);
    },
    reduce(op, x, dims, out) {
      if (!run(Kernel.Reduce, [x, out], [REDUCE_CODE[op], dims.length, ...dims], O1, true)) refBackend.reduce(op, x, dims, out);
    },
    argReduce(op, x, dim, out) {
      if (!run(Kernel.ArgReduce, [x, out], [op === 'argmax' ? 1 : 0, dim], O1, true)) refBackend.argReduce(op, x, dim, out);
    },
    matmul(a, bb, out) {
      if (!run(Kernel.Matmul, [a, bb, out], [], O2, true)) refBackend.matmul(a, bb, out);
    },
    conv2d(x, w, out, p, bias) {
      if (!run(Kernel.Conv2d, bias ? [x, w, out, bias] : [x, w, out], convParams(p), O2, true)) refBackend.conv2d(x, w, out, p, bias);
    },
    conv2dBackwardInput(gy, w, gx, p) {
      if (!run(Kernel.Conv2dBackwardInput, [gy, w, gx], convParams(p), O2)) refBackend.conv2dBackwardInput(gy, w, gx, p);
    },
    conv2dBackwardWeight(x, gy, gw, p) {
      if (!run(Kernel.Conv2dBackwardWeight, [x, gy, gw], convParams(p), O2)) refBackend.conv2dBackwardWeight(x, gy, gw, p);
    },
    maxPool2d(x, out, argmax, p) {
      if (!run(Kernel.MaxPool2d, [x, out, argmax], poolParams(p), [1, 2])) refBackend.maxPool2d(x, out, argmax, p);
    },
    maxPool2dBackward(gy, argmax, gx, p) {
      if (!run(Kernel.MaxPool2dBackward, [gy, argmax, gx], poolParams(p), O2)) refBackend.maxPool2dBackward(gy, argmax, gx, p);
    },
    avgPool2d(x, out, p) {
      if (!run(Kernel.AvgPool2d, [x, out], poolParams(p), O1)) refBackend.avgPool2d(x, out, p);
    },
    avgPool2dBackward(gy, gx, p) {
      if (!run(Kernel.AvgPool2dBackward, [gy, gx], poolParams(p), O1)) refBackend.avgPool2dBackward(gy, gx, p);
    },
    gather(x, dim, index, out) {
      if (!run(Kernel.Gather, [x, index, out], [dim], O2, true)) refBackend.gather(x, dim, index, out);
    },
    scatterAdd(out, dim, index, src) {
      if (!run(Kernel.ScatterAdd, [out, index, src], [dim], O0)) refBackend.scatterAdd(out, dim, index, src);
    },
    channelStats(x, mean, variance) {
      if (!run(Kernel.ChannelStats, [x, mean, variance], [], [1, 2])) refBackend.channelStats(x, mean, variance);
    },
    channelGradSums(gy, x, mean, sumGy, sumGyXmu) {
      if (!run(Kernel.ChannelGradSums, [gy, x, mean, sumGy, sumGyXmu], [], [3, 4])) refBackend.channelGradSums(gy, x, mean, sumGy, sumGyXmu);
    },
    channelAffine(x, a, d, out, y, bb) {
      const views = y && bb ? [x, a, d, out, y, bb] : [x, a, d, out];
      if (!run(Kernel.ChannelAffine, views, [], O3)) refBackend.channelAffine(x, a, d, out, y, bb);
    },
    adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, h) {
      const views = maxExpAvgSq ? [param, grad, expAvg, expAvgSq, maxExpAvgSq] : [param, grad, expAvg, expAvgSq];
      const hp = [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.stepSize, h.bc2Sqrt, b(h.decoupled), b(h.maximize)];
      return run(Kernel.AdamStep, views, hp, maxExpAvgSq ? [0, 2, 3, 4] : [0, 2, 3]);
    },
    sgdStep(param, grad, momentumBuf, h) {
      const views = momentumBuf ? [param, grad, momentumBuf] : [param, grad];
      const hp = [h.lr, h.momentum, h.dampening, h.weightDecay, b(h.nesterov), b(h.maximize), b(h.firstStep)];
      return run(Kernel.SgdStep, views, hp, momentumBuf ? [0, 2] : [0]);
    },
  };
}

let backend: Backend | null = null;
let fallbacks = 0;

/** The wasm backend, or null when the module cannot load (see wasmLoadError()). */
export function wasmBackend(): Backend | null {
  if (backend) return backend;
  const k = wasmKernels();
  if (k) backend = makeWasmBackend(k);
  return backend;
}

/** How many wasm calls have been handed to a ref kernel so far (unsupported dtype/layout combinations). */
export function wasmFallbackCount(): number {
  return fallbacks;
}

registerBackend('wasm', () => {
  const be = wasmBackend();
  if (!be) throw new Error(`setBackend('wasm'): the wasm module is not available (${wasmLoadError()})`);
  return be;
});
