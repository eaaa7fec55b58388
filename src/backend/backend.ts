import type { DType, Storage } from '../core/dtype.js';

/**
 * A strided window onto storage: element (i0, i1, ...) lives at
 * `data[offset + i0*strides[0] + i1*strides[1] + ...]`. Transpose, slice and
 * broadcast (stride 0) are all views, so kernels never need a copy to read them.
 */
export interface View {
  readonly data: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

import type { ACTIVATION_OPS, BINARY_OPS, REDUCE_OPS, UNARY_OPS } from './kernels.js';

// The op names come from the kernel table (kernels.ts), which also fixes their native codes.

/** Elementwise ops of one input (kernels.ts UNARY_OPS says which take `alpha`/`beta`). */
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Elementwise ops of two (broadcast) inputs; comparisons and logic write bool. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Activations whose gradient has its own kernel (Backend.activationBackward). */
export type ActivationOp = (typeof ACTIVATION_OPS)[number];

/** Reductions over a set of dims. */
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Geometry of a 2-d convolution; x is [N, C, H, W], w is [O, C/groups, KH, KW]. */
export interface Conv2dParams {
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

/** Geometry of 2-d pooling over [N, C, H, W]. */
export interface Pool2dParams {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /** avgPool only: count padded zeros in the divisor (PyTorch's default, true). */
  readonly countIncludePad: boolean;
}

/**
 * The contract every compute backend meets. Storage is always a plain typed
 * array owned by the garbage collector, so tensors move freely between
 * backends and nobody calls dispose. Kernels read strided views and write
 * into `out` (allocated by the caller, usually contiguous). A backend never
 * sees a Tensor, never records gradients, and never allocates for the caller.
 *
 * Invariants callers guarantee: binary/where inputs are already broadcast to
 * `out.shape` (stride 0 on broadcast dims); kernels with 4-d image tensors get
 * contiguous [N, C, H, W] views; `out` never overlaps an input unless it is
 * exactly the same view (in-place unary/binary).
 */
export interface Backend {
  readonly name: string;

  /** Copies (and casts) a strided view into another view of the same shape. */
  copy(src: View, out: View): void;
  /** Sets every element of the view. */
  fill(out: View, value: number): void;
  unary(op: UnaryOp, x: View, out: View, alpha?: number, beta?: number): void;
  binary(op: BinaryOp, a: View, b: View, out: View): void;
  /** out = cond ? a : b; cond is bool. */
  where(cond: View, a: View, b: View, out: View): void;
  /** Reduces x over `dims`; out has x's rank with those dims of size 1. */
  reduce(op: ReduceOp, x: View, dims: readonly number[], out: View): void;
  /** Index (int32) of the max/min along `dim`; out has x's rank with that dim of size 1. First index wins ties. */
  argReduce(op: 'argmax' | 'argmin', x: View, dim: number, out: View): void;
  /**
   * Gradient of an activation, elementwise over views of out's shape: out = g·f'(x), read from
   * the input x and/or the forward's output y (an op ignores the one it does not need):
   *   relu: y > 0 ? g : 0;  leakyRelu: x > 0 ? g : alpha·g;  elu: x > 0 ? g : g·(y + alpha);
   *   sigmoid: g·y·(1 − y);  tanh: g·(1 − y²).
   */
  activationBackward(op: ActivationOp, g: View, x: View, y: View, out: View, alpha?: number): void;
  /**
   * Softmax of x along `dim` (log-softmax when `log`) into out of x's shape, computed on
   * z = x − max (a max that is not finite counts as 0): exp(z)/Σexp(z), or z − log Σexp(z).
   * Sums run in float64.
   */
  softmax(x: View, dim: number, log: boolean, out: View): void;
  /** Its gradient from the forward's output y: log: g − exp(y)·Σg, else y·(g − Σg·y), sums along `dim` in float64. */
  softmaxBackward(g: View, y: View, dim: number, log: boolean, out: View): void;
  /** Batched matrix product: a [B,M,K] @ b [B,K,N] -> out [B,M,N] (out contiguous, a/b any strides). */
  matmul(a: View, b: View, out: View): void;
  /** 2-d convolution into out; with `bias` ([O]), out[n, o] += bias[o] after the sums are rounded to out's dtype. */
  conv2d(x: View, w: View, out: View, p: Conv2dParams, bias?: View | null): void;
  /** Gradient of conv2d with respect to its input: gx (zeroed by the kernel) from gy and w. */
  conv2dBackwardInput(gy: View, w: View, gx: View, p: Conv2dParams): void;
  /** Gradient of conv2d with respect to its weight: gw (overwritten) from x and gy. */
  conv2dBackwardWeight(x: View, gy: View, gw: View, p: Conv2dParams): void;
  /** Max pooling; `argmax` (int32, same shape as out) receives the flat h*W+w index of each max in its plane. */
  maxPool2d(x: View, out: View, argmax: View, p: Pool2dParams): void;
  maxPool2dBackward(gy: View, argmax: View, gx: View, p: Pool2dParams): void;
  avgPool2d(x: View, out: View, p: Pool2dParams): void;
  avgPool2dBackward(gy: View, gx: View, p: Pool2dParams): void;
  /** out[..i..] = x[..index[..i..]..] along `dim` (index int32, same shape as out). */
  gather(x: View, dim: number, index: View, out: View): void;
  /** out[..index[..i..]..] += src[..i..] along `dim` (index int32, same shape as src). */
  scatterAdd(out: View, dim: number, index: View, src: View): void;

  // Per-channel kernels of BatchNorm. x, gy, y and out are contiguous [N, C, S] views of one
  // float dtype; the per-channel vectors are contiguous [C] views of that dtype. Sums run in
  // float64 whatever the dtype.

  /** mean[c] and biased variance var[c] of x over n and s (two passes: mean, then squared deviations). */
  channelStats(x: View, mean: View, variance: View): void;
  /** sumGy[c] = Σ gy and sumGyXmu[c] = Σ gy·(x − mean[c]), over n and s. */
  channelGradSums(gy: View, x: View, mean: View, sumGy: View, sumGyXmu: View): void;
  /** out = a[c]·x + d[c], plus b[c]·y when y and b are given. */
  channelAffine(x: View, a: View, d: View, out: View, y?: View | null, b?: View | null): void;

  // Optional fused kernels. Callers use them when present and fall back to
  // their own composition when absent or when the method returns false.

  /**
   * One Adam/AdamW update in place, elementwise over contiguous views of one
   * float dtype and size (param, expAvg, expAvgSq, maxExpAvgSq written; grad read).
   * With θ param, g grad, m expAvg, v expAvgSq (each value computed in float64,
   * m and v stored before they are read back):
   *   decoupled: θ ← θ·(1 − lr·weightDecay), else g ← g + weightDecay·θ  (g negated first when maximize)
   *   m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
   *   v̂ ← maxExpAvgSq ? (maxExpAvgSq ← max(maxExpAvgSq, v)) : v
   *   θ ← θ − stepSize·m / (√v̂ / bc2Sqrt + eps)
   * Returns false (nothing written) when it does not handle the views.
   */
  adamStep?(param: View, grad: View, expAvg: View, expAvgSq: View, maxExpAvgSq: View | null, p: AdamStepParams): boolean;
  /**
   * One SGD update in place over contiguous views of one float dtype and size:
   *   d ← ±g + weightDecay·θ (− when maximize);
   *   with momentum: b ← firstStep ? d : momentum·b + (1 − dampening)·d, d ← nesterov ? d + momentum·b : b
   *   θ ← θ − lr·d
   * `momentumBuf` is null when momentum is 0. Returns false (nothing written) when it does not handle the views.
   */
  sgdStep?(param: View, grad: View, momentumBuf: View | null, p: SgdStepParams): boolean;
}

/** Hyper-parameters of Backend.adamStep (PyTorch's Adam/AdamW; t counts steps from 1). */
export interface AdamStepParams {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW's decoupled decay (true) or Adam's L2 term added to the gradient (false). */
  readonly decoupled: boolean;
  readonly maximize: boolean;
  /** lr / (1 − β₁ᵗ). */
  readonly stepSize: number;
  /** √(1 − β₂ᵗ). */
  readonly bc2Sqrt: number;
}

/** Hyper-parameters of Backend.sgdStep (PyTorch's SGD). */
export interface SgdStepParams {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  /** True on the first momentum step: the buffer takes d itself. */
  readonly firstStep: boolean;
}
