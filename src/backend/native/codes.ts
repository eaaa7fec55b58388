import type { ActivationOp, BinaryOp, ReduceOp, UnaryOp } from '../backend.js';

/** Kernel numbers understood by the addon's run() (native/addon.cc, enum KernelCode). */
export const Kernel = {
  Copy: 0, Fill: 1, Unary: 2, Binary: 3, Where: 4, Reduce: 5, ArgReduce: 6, Matmul: 7, Conv2d: 8, Conv2dBackwardInput: 9,
  Conv2dBackwardWeight: 10, MaxPool2d: 11, MaxPool2dBackward: 12, AvgPool2d: 13, AvgPool2dBackward: 14, Gather: 15, ScatterAdd: 16,
  AdamStep: 17, SgdStep: 18, ChannelStats: 19, ChannelGradSums: 20, ChannelAffine: 21, ActivationBackward: 22, Softmax: 23,
  SoftmaxBackward: 24,
} as const;

/** Unary op codes, in the order of native/kernels.h (enum UnaryCode). */
export const UNARY_CODE: Record<UnaryOp, number> = {
  neg: 0, exp: 1, log: 2, sqrt: 3, rsqrt: 4, abs: 5, sign: 6, reciprocal: 7, square: 8, sin: 9, cos: 10, log1p: 11,
  expm1: 12, floor: 13, ceil: 14, round: 15, not: 16, relu: 17, sigmoid: 18, tanh: 19, leakyRelu: 20, elu: 21,
  powScalar: 22, clamp: 23,
};

/** Binary op codes, in the order of native/kernels.h (enum BinaryCode). */
export const BINARY_CODE: Record<BinaryOp, number> = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
  and: 13, or: 14,
};

/** Reduce op codes, in the order of native/kernels.h (enum ReduceCode). */
export const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3 };

/** Activation codes, in the order of native/kernels.h (enum ActivationCode). */
export const ACTIVATION_CODE: Record<ActivationOp, number> = { relu: 0, leakyRelu: 1, elu: 2, sigmoid: 3, tanh: 4 };
