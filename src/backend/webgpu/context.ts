/// <reference types="@webgpu/types" />
import type { DType, Storage } from '../../core/dtype.js';
import { DeviceError, type DeviceBuffer } from '../device.js';

// Numeric flags (GPUBufferUsage / GPUMapMode): Node's Dawn binding does not define the globals.
const MAP_READ = 1, COPY_SRC = 4, COPY_DST = 8, STORAGE = 128;

/** A tsgrad buffer on the GPU: 4 bytes per element (bool is stored as u32). */
export class GpuBuffer implements DeviceBuffer {
  readonly device = 'webgpu' as const;
  constructor(readonly buffer: GPUBuffer, readonly dtype: DType, readonly length: number, readonly bytes: number) {}
}

import type { WebGPUInfo } from './info.js';

let device: GPUDevice | null = null;
let info: WebGPUInfo | null = null;
let encoder: GPUCommandEncoder | null = null;
let passes = 0;
const pool = new Map<number, GPUBuffer[]>();
let pooledBytes = 0;
let freshBytes = 0;
const GC_EVERY_BYTES = 2 ** 31;
const POOL_LIMIT = 1 << 30;
const pipelines = new Map<string, GPUComputePipeline>();

// When a tensor's storage is garbage-collected its buffer goes back to the pool. Work already
// encoded that uses it still runs first: later use is later in the same queue.
const finalizer = typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<GpuBuffer>((b) => release(b));

/** The GPU device, or an error saying how to get one. */
export function gpu(): GPUDevice {
  if (!device) throw new DeviceError("webgpu: not initialised; call await initWebGPU() first (see docs/gpu.md)");
  return device;
}

/** True once initWebGPU succeeded. */
export function webgpuReady(): boolean {
  return device !== null;
}

/** The adapter initWebGPU picked, or null. */
export function webgpuInfo(): WebGPUInfo | null {
  return info;
}

async function findGpu(): Promise<{ gpu: GPU; source: string } | null> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, source: 'navigator.gpu' };
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  // The `webgpu` npm package (Dawn) is an optional dependency: imported by a computed name so
  // that bundlers and type checks do not require it. TSGRAD_DAWN_NODE names a dawn.node file
  // instead (a machine without npm: see bench/gpu-run.sh).
  type Dawn = { create(flags: string[]): GPU; globals?: Record<string, unknown> };
  try {
    const file = process.env?.['TSGRAD_DAWN_NODE'];
    let mod: Dawn;
    if (file) {
      const modName = 'node:module';
      const { createRequire } = (await import(modName)) as { createRequire(from: string): (id: string) => unknown };
      mod = createRequire(import.meta.url)(file) as Dawn;
    } else {
      const name = 'webgpu';
      mod = (await import(name)) as Dawn;
    }
    if (mod.globals) Object.assign(globalThis, mod.globals);
    return { gpu: mod.create([]), source: file ? `dawn.node (${file})` : 'webgpu (Dawn)' };
  } catch {
    return null;
  }
}

/**
 * Finds a WebGPU adapter (navigator.gpu in browsers; the optional `webgpu`
 * package in Node) and opens a device with the adapter's largest buffer
 * limits. Returns null when there is none (no browser support, package not
 * installed, or no driver); later calls return the same result.
 */
export async function initWebGPU(): Promise<WebGPUInfo | null> {
  if (device) return info;
  const found = await findGpu();
  if (!found) return null;
  const adapter = await found.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const lim = adapter.limits;
  const dev = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(lim.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: Math.min(lim.maxComputeInvocationsPerWorkgroup, 256),
    },
  });
  dev.addEventListener('uncapturederror', (e) => {
    console.error(`webgpu: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
  const ai = (adapter as { info?: { vendor: string; architecture: string; description: string } }).info ?? { vendor: '', architecture: '', description: '' };
  device = dev;
  info = { source: found.source, vendor: ai.vendor, architecture: ai.architecture, description: ai.description };
  return info;
}

function bytesOf(size: number): number {
  return Math.max(4, size * 4);
}

/** A pooled storage buffer for `size` elements (zero-filled when asked). */
export function allocBuffer(dtype: DType, size: number, zero: boolean): GpuBuffer {
  if (dtype === 'float64') throw new DeviceError("webgpu: float64 is not supported on the GPU; convert with .to('float32') first");
  const bytes = bytesOf(size);
  const free = pool.get(bytes);
  let buffer = free?.pop();
  if (buffer) pooledBytes -= bytes;
  else {
    buffer = gpu().createBuffer({ size: bytes, usage: STORAGE | COPY_SRC | COPY_DST });
    freshBytes += bytes;
    // The garbage collector does not see GPU memory: after every 2 GiB of new buffers, collect
    // (where the runtime allows it: node --expose-gc) so dead tensors return theirs to the pool.
    if (freshBytes > GC_EVERY_BYTES) {
      freshBytes = 0;
      (globalThis as { gc?: () => void }).gc?.();
    }
  }
  if (zero) commandEncoder().clearBuffer(buffer);
  return new GpuBuffer(buffer, dtype, size, bytes);
}

/** Registers a handle so the buffer returns to the pool when the handle is collected. */
export function trackBuffer(holder: object, b: GpuBuffer): void {
  finalizer?.register(holder, b);
}

function release(b: GpuBuffer): void {
  if (pooledBytes + b.bytes > POOL_LIMIT) {
    b.buffer.destroy();
    return;
  }
  let free = pool.get(b.bytes);
  if (!free) pool.set(b.bytes, (free = []));
  free.push(b.buffer);
  pooledBytes += b.bytes;
}

/** A GPU copy of CPU data (a fresh buffer written while mapped, so no queue ordering is involved). */
export function uploadBuffer(src: Storage, dtype: DType): GpuBuffer {
  if (dtype === 'float64') throw new DeviceError("webgpu: float64 is not supported on the GPU; convert with .to('float32') first");
  const bytes = bytesOf(src.length);
  const buffer = gpu().createBuffer({ size: bytes, usage: STORAGE | COPY_SRC | COPY_DST, mappedAtCreation: true });
  const range = buffer.getMappedRange();
  if (dtype === 'float32') new Float32Array(range).set(src);
  else if (dtype === 'int32') new Int32Array(range).set(src);
  else {
    const u = new Uint32Array(range);
    for (let i = 0; i < src.length; i++) u[i] = src[i] ? 1 : 0;
  }
  buffer.unmap();
  return new GpuBuffer(buffer, dtype, src.length, bytes);
}

const stats = { reads: 0, dispatches: 0 };

/** Counters since initWebGPU: read-backs to the CPU and kernel dispatches (tests check that training does not read per step). */
export function webgpuStats(): { reads: number; dispatches: number } {
  return { ...stats };
}

/** Reads `count` elements from `offset` back to a typed array of the buffer's dtype. */
export async function downloadBuffer(b: GpuBuffer, offset: number, count: number): Promise<Storage> {
  stats.reads++;
  const bytes = bytesOf(count);
  const staging = gpu().createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
  if (count > 0) commandEncoder().copyBufferToBuffer(b.buffer, offset * 4, staging, 0, count * 4);
  flush();
  await staging.mapAsync(1);
  const range = staging.getMappedRange();
  let out: Storage;
  if (b.dtype === 'float32') out = new Float32Array(range.slice(0, count * 4));
  else if (b.dtype === 'int32') out = new Int32Array(range.slice(0, count * 4));
  else out = Uint8Array.from(new Uint32Array(range, 0, count), (v) => (v ? 1 : 0));
  staging.unmap();
  staging.destroy();
  return out;
}

/** The encoder kernels record into; submitted by flush(). */
export function commandEncoder(): GPUCommandEncoder {
  if (!encoder) encoder = gpu().createCommandEncoder();
  return encoder;
}

/** Submits the recorded work. */
export function flush(): void {
  if (!encoder) return;
  gpu().queue.submit([encoder.finish()]);
  encoder = null;
  passes = 0;
}

/** Waits until the GPU has finished everything submitted (for benchmarks). */
export async function synchronize(): Promise<void> {
  flush();
  await gpu().queue.onSubmittedWorkDone();
}

function pipeline(key: string, code: () => string): GPUComputePipeline {
  let p = pipelines.get(key);
  if (!p) {
    // `meta` is a reserved word in WGSL; the kernels read better with it, so it is renamed here.
    const text = code().replace(/\bmeta\b/g, 'mt');
    const module = gpu().createShaderModule({ code: text });
    // Compilation errors otherwise surface only as "invalid pipeline" later: name the kernel.
    void module.getCompilationInfo().then((ci) => {
      const errs = ci.messages.filter((m) => m.type === 'error');
      if (errs.length) console.error(`webgpu: kernel ${key} does not compile: ${errs.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}\n${text}`);
    });
    p = gpu().createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    pipelines.set(key, p);
  }
  return p;
}

/** Number of invocations per workgroup of the one-dimensional kernels. */
export const WG = 64;
const MAX_GROUPS = 65535;

/** Workgroup counts covering `groups` groups: x up to 65535, the rest in y. */
export function grid(groups: number): [number, number, number] {
  if (groups <= MAX_GROUPS) return [Math.max(1, groups), 1, 1];
  return [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
}

/**
 * Records one dispatch: binding 0 is the kernel's metadata (i32, written at
 * creation), bindings 1.. are `buffers` in order.
 */
export function dispatch(key: string, code: () => string, meta: Int32Array, buffers: readonly GPUBuffer[], groups: readonly [number, number, number]): void {
  const dev = gpu();
  stats.dispatches++;
  const p = pipeline(key, code);
  const metaBuf = dev.createBuffer({ size: Math.max(16, meta.byteLength + 3 & ~3), usage: STORAGE, mappedAtCreation: true });
  new Int32Array(metaBuf.getMappedRange()).set(meta);
  metaBuf.unmap();
  const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: metaBuf } }];
  buffers.forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
  const bind = dev.createBindGroup({ layout: p.getBindGroupLayout(0), entries });
  const pass = commandEncoder().beginComputePass();
  pass.setPipeline(p);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
  pass.end();
  // Submit now and then so the GPU starts while JavaScript records the rest.
  if (++passes >= 32) flush();
}
