import { allocStorage, type Storage } from '../core/dtype.js';
import { contiguousStrides, isContiguous, numel } from '../core/shape.js';
import type { Backend, View } from './backend.js';
import { DeviceError, deviceBufferOf, deviceImpl, deviceStorageInUse, wrapDeviceBuffer, type DeviceBuffer, type DeviceImpl } from './device.js';
import { getBackend } from './registry.js';

type MaybeView = View | null | undefined;

function isWhole(v: View): boolean {
  return v.offset === 0 && v.data.length === numel(v.shape) && isContiguous(v.shape, v.strides);
}

/** A contiguous CPU copy of a view (the CPU backend's copy). */
function cpuContiguous(v: View): Storage {
  if (isWhole(v)) return v.data;
  const out: View = { data: allocStorage(v.dtype, numel(v.shape)), dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 };
  getBackend().copy(v, out);
  return out.data;
}

function uploaded(dev: DeviceImpl, v: View): View {
  return { data: wrapDeviceBuffer(dev.upload(cpuContiguous(v), v.dtype)), dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 };
}

// Uploaded scalars by device, dtype and value: ops pass the same few numbers (1, 0.5, the learning
// rate...) every step, and kernels only read them.
const scalars = new Map<string, Storage>();
const SCALAR_CACHE = 512;

function scalarOn(dev: DeviceImpl, value: number, dtype: View['dtype']): Storage {
  const key = `${dev.name}:${dtype}:${Object.is(value, -0) ? '-0' : value}`;
  let s = scalars.get(key);
  if (!s) {
    if (scalars.size >= SCALAR_CACHE) scalars.delete(scalars.keys().next().value!);
    const src = allocStorage(dtype, 1);
    src[0] = value;
    s = wrapDeviceBuffer(dev.upload(src, dtype));
    scalars.set(key, s);
  }
  return s;
}

/**
 * Picks the backend for one kernel call from where its views live: the CPU
 * backend when none is on a device; else that device's backend, after moving
 * op outputs that ops allocated on the CPU (fresh, whole tensors) to the
 * device and uploading 0-d CPU scalars (as PyTorch allows). Any other mix of
 * devices is an error naming both.
 */
function prepare(op: string, views: MaybeView[], outs: readonly number[], accumulate: boolean, crossCopy = false): Backend {
  let buf: DeviceBuffer | undefined;
  for (const v of views) {
    if (v && (buf = deviceBufferOf(v.data))) break;
  }
  if (!buf) return getBackend();
  const dev = deviceImpl(buf.device, op);
  for (let i = 0; i < views.length; i++) {
    const v = views[i];
    if (!v) continue;
    const b = deviceBufferOf(v.data);
    if (b) {
      if (b.device !== dev.name) throw new DeviceError(`${op}: expected all tensors on one device, got '${dev.name}' and '${b.device}'`);
      continue;
    }
    if (outs.includes(i)) {
      if (!isWhole(v)) throw new DeviceError(`${op}: output is a view of a 'cpu' tensor while the inputs are on '${dev.name}'`);
      const moved = accumulate ? dev.upload(v.data, v.dtype) : dev.alloc(v.dtype, v.data.length, false);
      (v as { data: Storage }).data = wrapDeviceBuffer(moved);
    } else if (v.data.length === 1) {
      // A CPU scalar (possibly broadcast with stride 0), as PyTorch allows next to GPU tensors.
      views[i] = { data: scalarOn(dev, v.data[0]!, v.dtype), dtype: v.dtype, shape: v.shape, strides: v.strides, offset: 0 };
    } else if (crossCopy) {
      views[i] = uploaded(dev, v);
    } else {
      throw new DeviceError(`${op}: expected all tensors on one device, got '${dev.name}' and 'cpu' (shape [${v.shape.join(',')}]); move one with .to('${dev.name}') or await .cpuAsync()`);
    }
  }
  return dev.backend;
}

/** The backend that routes every kernel call by the device of its views. */
export const deviceRouter: Backend = {
  get name() {
    return getBackend().name;
  },
  copy(src, out) {
    const v: MaybeView[] = [src, out];
    prepare('copy', v, [1], false, true).copy(v[0]!, out);
  },
  fill(out, value) {
    getBackendFor('fill', [out], [0], false).fill(out, value);
  },
  unary(op, x, out, alpha, beta) {
    const v: MaybeView[] = [x, out];
    prepare(op, v, [1], false).unary(op, v[0]!, out, alpha, beta);
  },
  binary(op, a, b, out) {
    const v: MaybeView[] = [a, b, out];
    prepare(op, v, [2], false).binary(op, v[0]!, v[1]!, out);
  },
  where(cond, a, b, out) {
    const v: MaybeView[] = [cond, a, b, out];
    prepare('where', v, [3], false).where(v[0]!, v[1]!, v[2]!, out);
  },
  reduce(op, x, dims, out) {
    const v: MaybeView[] = [x, out];
    prepare(op, v, [1], false).reduce(op, v[0]!, dims, out);
  },
  argReduce(op, x, dim, out) {
    const v: MaybeView[] = [x, out];
    prepare(op, v, [1], false).argReduce(op, v[0]!, dim, out);
  },
  activationBackward(op, g, x, y, out, alpha) {
    const v: MaybeView[] = [g, x, y, out];
    prepare(`${op} backward`, v, [3], false).activationBackward(op, v[0]!, v[1]!, v[2]!, out, alpha);
  },
  softmax(x, dim, log, out) {
    const v: MaybeView[] = [x, out];
    prepare('softmax', v, [1], false).softmax(v[0]!, dim, log, out);
  },
  softmaxBackward(g, y, dim, log, out) {
    const v: MaybeView[] = [g, y, out];
    prepare('softmax backward', v, [2], false).softmaxBackward(v[0]!, v[1]!, dim, log, out);
  },
  matmul(a, b, out) {
    const v: MaybeView[] = [a, b, out];
    prepare('matmul', v, [2], false).matmul(v[0]!, v[1]!, out);
  },
  conv2d(x, w, out, p, bias) {
    const v: MaybeView[] = [x, w, out, bias];
    prepare('conv2d', v, [2], false).conv2d(v[0]!, v[1]!, out, p, v[3] ?? null);
  },
  conv2dBackwardInput(gy, w, gx, p) {
    const v: MaybeView[] = [gy, w, gx];
    prepare('conv2d backward', v, [2], false).conv2dBackwardInput(v[0]!, v[1]!, gx, p);
  },
  conv2dBackwardWeight(x, gy, gw, p) {
    const v: MaybeView[] = [x, gy, gw];
    prepare('conv2d backward', v, [2], false).conv2dBackwardWeight(v[0]!, v[1]!, gw, p);
  },
  maxPool2d(x, out, argmax, p) {
    const v: MaybeView[] = [x, out, argmax];
    prepare('maxPool2d', v, [1, 2], false).maxPool2d(v[0]!, out, argmax, p);
  },
  maxPool2dBackward(gy, argmax, gx, p) {
    const v: MaybeView[] = [gy, argmax, gx];
    prepare('maxPool2d backward', v, [2], false).maxPool2dBackward(v[0]!, v[1]!, gx, p);
  },
  avgPool2d(x, out, p) {
    const v: MaybeView[] = [x, out];
    prepare('avgPool2d', v, [1], false).avgPool2d(v[0]!, out, p);
  },
  avgPool2dBackward(gy, gx, p) {
    const v: MaybeView[] = [gy, gx];
    prepare('avgPool2d backward', v, [1], false).avgPool2dBackward(v[0]!, gx, p);
  },
  gather(x, dim, index, out) {
    const v: MaybeView[] = [x, index, out];
    prepare('gather', v, [2], false).gather(v[0]!, dim, v[1]!, out);
  },
  scatterAdd(out, dim, index, src) {
    const v: MaybeView[] = [out, index, src];
    prepare('scatterAdd', v, [0], true).scatterAdd(out, dim, v[1]!, v[2]!);
  },
  channelStats(x, mean, variance) {
    const v: MaybeView[] = [x, mean, variance];
    prepare('batchNorm', v, [1, 2], false).channelStats(v[0]!, mean, variance);
  },
  channelGradSums(gy, x, mean, sumGy, sumGyXmu) {
    const v: MaybeView[] = [gy, x, mean, sumGy, sumGyXmu];
    prepare('batchNorm backward', v, [3, 4], false).channelGradSums(v[0]!, v[1]!, v[2]!, sumGy, sumGyXmu);
  },
  channelAffine(x, a, d, out, y, b) {
    const v: MaybeView[] = [x, a, d, out, y, b];
    prepare('batchNorm', v, [3], false).channelAffine(v[0]!, v[1]!, v[2]!, out, v[4] ?? null, v[5] ?? null);
  },
  adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, p) {
    const be = prepare('adam', [param, grad, expAvg, expAvgSq, maxExpAvgSq], [], false);
    return be.adamStep?.(param, grad, expAvg, expAvgSq, maxExpAvgSq, p) ?? false;
  },
  sgdStep(param, grad, momentumBuf, p) {
    const be = prepare('sgd', [param, grad, momentumBuf], [], false);
    return be.sgdStep?.(param, grad, momentumBuf, p) ?? false;
  },
};

function getBackendFor(op: string, views: MaybeView[], outs: readonly number[], accumulate: boolean): Backend {
  return prepare(op, views, outs, accumulate);
}

/** The backend for the next kernel: the selected CPU backend until a device tensor exists, then the router. */
export function kernels(): Backend {
  return deviceStorageInUse ? deviceRouter : getBackend();
}
