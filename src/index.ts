/**
 * tsgrad: tensors, tape autograd and neural networks in TypeScript.
 * `import * as tg from 'tsgrad'`.
 */
import './backend/defaults.js';

export type { DType, Storage } from './core/dtype.js';
export { TsgradError, ShapeError, DTypeError, IndexError, AutogradError } from './core/errors.js';
export { Generator, manualSeed, defaultGenerator } from './core/rng.js';
export type { Backend, View, UnaryOp, BinaryOp, ReduceOp, Conv2dParams, Pool2dParams } from './backend/backend.js';
export { getBackend, setBackend, listBackends, registerBackend } from './backend/registry.js';
export type { NativeIsa } from './backend/native/index.js';
export { setNumThreads, getNumThreads, nativeSimd, nativeIsa, nativeHostIsa, nativeLoadError } from './backend/native/index.js';
export { loadWasm, wasmLoadError } from './backend/wasm/index.js';
export type { AdamStepParams, SgdStepParams } from './backend/backend.js';
export { DeviceError, getDefaultDevice, setDefaultDevice, type Device } from './backend/device.js';
export { initWebGPU, synchronize, webgpuInfo, webgpuReady, webgpuStats, type WebGPUInfo } from './backend/webgpu/index.js';
export { promoteTypes } from './core/dtype.js';
export { Tensor, type NestedArray } from './tensor/tensor.js';
export * from './tensor/creation.js';
export { noGrad, isGradEnabled, setGradEnabled } from './tensor/tape.js';
export * from './ops/index.js';
export { variance as var } from './ops/reduce.js';
export * from './autograd/index.js';
export * as autograd from './autograd/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export * as layers from './layers/index.js';
export * as models from './models/index.js';
