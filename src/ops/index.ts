// Loading this module attaches every op as a Tensor method.
export { type TensorLike } from './util.js';
export * from './cast.js';
export * from './broadcast.js';
export * from './shape.js';
export * from './elementwise.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './conv.js';
export * from './norm.js';
export * from './indexing.js';
export * from './inplace.js';
export * from './sort.js';
export * from './scan.js';
export * from './pad.js';
export * from './split.js';
export * from './masked.js';
export * from './repeat.js';
