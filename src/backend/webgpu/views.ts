import { DeviceError, deviceBufferOf } from '../device.js';
import type { View } from '../backend.js';
import { GpuBuffer } from './context.js';

/** The GPU buffer behind a view (an error for CPU storage: the router uploads before kernels run). */
export function bufferOf(v: View): GpuBuffer {
  const b = deviceBufferOf(v.data);
  if (!(b instanceof GpuBuffer)) throw new DeviceError(`webgpu: a kernel got a '${b?.device ?? 'cpu'}' tensor of shape [${v.shape.join(',')}]`);
  return b;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** The bits of `x` rounded to float32, as an int32 (metadata is an i32 array). */
export function f32bits(x: number): number {
  f32[0] = x;
  return i32[0]!;
}
