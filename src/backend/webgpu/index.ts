import type { Backend } from '../backend.js';
import { registerDevice, type DeviceBuffer } from '../device.js';
import * as ctx from './context.js';
import { GpuBuffer, allocBuffer, downloadBuffer, trackBuffer, uploadBuffer } from './context.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { activationBackward, binary, copy, fill, unary, where } from './elementwise.js';
import { adamStep, channelAffine, sgdStep } from './fused.js';
import { gather, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { argReduce, channelGradSums, channelStats, reduce, softmax, softmaxBackward } from './reduce.js';

export type { WebGPUInfo } from './info.js';
import type { WebGPUInfo } from './info.js';

// Wrappers with plain types, so the public declarations never mention WebGPU's own types (a user's
// project type-checks without the DOM lib or @webgpu/types).

/**
 * Finds a WebGPU adapter (navigator.gpu in browsers; the optional `webgpu` package in Node) and
 * opens a device; null when there is none. Call once before using the 'webgpu' device.
 */
export function initWebGPU(): Promise<WebGPUInfo | null> {
  return ctx.initWebGPU();
}

/** Waits until the GPU has finished all submitted work (for timing). */
export function synchronize(): Promise<void> {
  return ctx.synchronize();
}

/** The adapter initWebGPU picked, or null. */
export function webgpuInfo(): WebGPUInfo | null {
  return ctx.webgpuInfo();
}

/** True once initWebGPU found an adapter. */
export function webgpuReady(): boolean {
  return ctx.webgpuReady();
}

/** Read-backs to the CPU and kernel dispatches so far. */
export function webgpuStats(): { reads: number; dispatches: number } {
  return ctx.webgpuStats();
}

/** The WebGPU kernels (WGSL); views hold GPU buffers. Sums run in float32. */
export const webgpuBackend: Backend = {
  name: 'webgpu',
  copy, fill, unary, binary, where, reduce, argReduce, activationBackward, softmax, softmaxBackward, matmul,
  conv2d, conv2dBackwardInput, conv2dBackwardWeight, maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward,
  gather, scatterAdd, channelStats, channelGradSums, channelAffine, adamStep, sgdStep,
};

registerDevice({
  name: 'webgpu',
  backend: webgpuBackend,
  ready: () => ctx.webgpuReady(),
  alloc: (dtype, size, zero) => allocBuffer(dtype, size, zero),
  upload: (src, dtype) => uploadBuffer(src, dtype),
  download: (buf: DeviceBuffer, offset, count) => downloadBuffer(buf as GpuBuffer, offset, count),
  track: (holder, buf) => trackBuffer(holder, buf as GpuBuffer),
});
