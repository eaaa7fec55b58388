import type { Backend } from '../backend.js';
import { registerDevice, type DeviceBuffer } from '../device.js';
import { GpuBuffer, allocBuffer, downloadBuffer, trackBuffer, uploadBuffer, webgpuReady } from './context.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import { activationBackward, binary, copy, fill, unary, where } from './elementwise.js';
import { adamStep, channelAffine, sgdStep } from './fused.js';
import { gather, scatterAdd } from './indexing.js';
import { matmul } from './matmul.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { argReduce, channelGradSums, channelStats, reduce, softmax, softmaxBackward } from './reduce.js';

export { initWebGPU, synchronize, webgpuInfo, webgpuReady, webgpuStats, type WebGPUInfo } from './context.js';

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
  ready: webgpuReady,
  alloc: (dtype, size, zero) => allocBuffer(dtype, size, zero),
  upload: (src, dtype) => uploadBuffer(src, dtype),
  download: (buf: DeviceBuffer, offset, count) => downloadBuffer(buf as GpuBuffer, offset, count),
  track: (holder, buf) => trackBuffer(holder, buf as GpuBuffer),
});
