// Run by oom.test.ts under `ulimit -v`: a convolution whose im2col buffer (about 1.6 GB) cannot be
// allocated must throw a JS error naming the kernel, and the addon must keep working afterwards.
import { nativeBackend } from '../../src/backend/native/index.js';
import type { View } from '../../src/backend/backend.js';

function dense(shape: number[]): View {
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d]!;
  }
  return { data: new Float32Array(acc).fill(1), dtype: 'float32', shape, strides, offset: 0 };
}

const be = nativeBackend()!;
const p = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } as const;
try {
  be.conv2d(dense([1, 64, 512, 512]), dense([8, 64, 5, 5]), dense([1, 8, 508, 508]), p);
  console.log('ran');
} catch (e) {
  console.log(`caught: ${(e as Error).message}`);
}
const y = dense([1, 1, 2, 2]);
be.conv2d(dense([1, 1, 4, 4]), dense([1, 1, 3, 3]), y, p);
console.log(`after: ${Array.from(y.data).join(',')}`);
