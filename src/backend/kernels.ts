// The kernel table: the one place that lists every kernel a backend implements, with the
// numeric codes both sides of the native boundary use, each kernel's arguments (views and
// scalar parameters, in the order of its Backend method), its dtype rules and the shape
// relations between its views. validate.ts checks calls against it, the native backend
// builds its wrappers from it, tools/gen-kernel-codes.mjs writes native/kernel_codes.h
// from it, and the addon's own list is checked against it when it loads.
import type { Backend } from './backend.js';

/** Unary op codes, in code order (index = code). `alpha`/`beta` are the parametric ones' parameters. */
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'rsqrt', 'abs', 'sign', 'reciprocal', 'square', 'sin', 'cos', 'log1p',
  'expm1', 'floor', 'ceil', 'round', 'not', 'relu', 'sigmoid', 'tanh',
  'leakyRelu', // alpha: negative slope
  'elu', // alpha
  'powScalar', // alpha: exponent
  'clamp', // alpha: min, beta: max (NaN for none)
] as const;

/** Binary op codes, in code order; comparisons and logic write bool. */
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or',
] as const;

/** Reduction codes, in code order. */
export const REDUCE_OPS = ['sum', 'prod', 'max', 'min'] as const;

/** Activations whose gradient has its own kernel, in code order. */
export const ACTIVATION_OPS = ['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'] as const;

/** Arg-reductions, in code order (argmin = 0, argmax = 1). */
export const ARG_REDUCE_OPS = ['argmin', 'argmax'] as const;

/** The sub-op tables by name: what an `op` parameter of a kernel draws from. */
export const SUB_OPS = {
  unary: UNARY_OPS,
  binary: BINARY_OPS,
  reduce: REDUCE_OPS,
  activation: ACTIVATION_OPS,
  argReduce: ARG_REDUCE_OPS,
} as const;
export type SubOpTable = keyof typeof SUB_OPS;

/** Which dtypes a view may have. */
export type DTypeRule = 'any' | 'float' | 'int32' | 'bool';

/**
 * One argument of a kernel's Backend method, in order.
 * - view: a View the kernel reads (`in`), writes (`out`) or both (`inout`); `optional` ones may
 *   be null/undefined and are then left out of the native view list; `contiguous` ones must be
 *   dense row-major (the image and per-channel kernels index them flat).
 * - op: a name from a sub-op table, sent to native as its code.
 * - dim / dims: axes of the view named by `of`, in range and (dims) distinct.
 * - number / bool: plain scalars (bool is sent as 0/1; an omitted number as 0).
 * - conv2d / pool2d / adam / sgd: a parameter object sent as a fixed list of numbers.
 */
export type ArgSpec =
  | { readonly kind: 'view'; readonly name: string; readonly role: 'in' | 'out' | 'inout'; readonly dtype: DTypeRule; readonly optional?: boolean; readonly contiguous?: boolean }
  | { readonly kind: 'op'; readonly name: string; readonly table: SubOpTable }
  | { readonly kind: 'dim'; readonly name: string; readonly of: string }
  | { readonly kind: 'dims'; readonly name: string; readonly of: string }
  | { readonly kind: 'number'; readonly name: string; readonly optional?: boolean }
  | { readonly kind: 'bool'; readonly name: string }
  | { readonly kind: 'conv2d' | 'pool2d' | 'adam' | 'sgd'; readonly name: string };

/**
 * How a kernel's view shapes relate (views named as in `args`):
 * - same: all listed views have one shape (elementwise; inputs are already broadcast to out).
 * - reduce: `out` has `x`'s rank, size 1 on the reduced dims (`dims`/`dim` parameter), x's size elsewhere.
 * - matmul: a [B,M,K] x b [B,K,N] -> out [B,M,N].
 * - conv2d: x [N,C,H,W], w [O,C/groups,KH,KW], y [N,O,OH,OW] with OH, OW from the geometry; bias [O].
 * - pool2d: x [N,C,H,W] -> y [N,C,OH,OW] (and any `extra` views of y's shape, e.g. argmax);
 *   the values of an `indices` view lie in [0, H*W) (scanned by the native dispatcher, not by
 *   validate.ts: see there).
 * - gather: index and out (gather) or src (scatterAdd) share a shape of x's rank, no larger than x off `dim`;
 *   index values lie in [0, x.shape[dim]).
 * - channels: `ncs` views are [N,C,S] of one shape, `vec` views are [C]; `pair` views come both or neither.
 * - dense: all listed views hold the same number of elements.
 */
export type ShapeRule =
  | { readonly kind: 'same'; readonly views: readonly string[] }
  | { readonly kind: 'reduce'; readonly x: string; readonly out: string }
  | { readonly kind: 'matmul'; readonly a: string; readonly b: string; readonly out: string }
  | { readonly kind: 'conv2d'; readonly x: string; readonly w: string; readonly y: string; readonly bias?: string }
  | { readonly kind: 'pool2d'; readonly x: string; readonly y: string; readonly extra?: readonly string[]; readonly indices?: string }
  | { readonly kind: 'gather'; readonly x: string; readonly index: string; readonly other: string }
  | { readonly kind: 'channels'; readonly ncs: readonly string[]; readonly vec: readonly string[]; readonly pair?: readonly string[] }
  | { readonly kind: 'dense'; readonly views: readonly string[] };

/** Dtype constraints across views beyond each view's own rule. */
export type DTypeRelation =
  /** these views share one dtype */
  | { readonly kind: 'equal'; readonly views: readonly string[] };

/** One kernel: its Backend method name, native code, arguments, shape and dtype relations. */
export interface KernelSpec {
  readonly name: KernelName;
  /** Kernel number on the native boundary (native/kernel_codes.h, enum KernelCode). */
  readonly code: number;
  /** The Backend method's arguments, in order. */
  readonly args: readonly ArgSpec[];
  readonly shape: ShapeRule;
  readonly dtypes?: readonly DTypeRelation[];
  /**
   * Fused kernels are optional Backend methods that return false when they decline the views
   * (callers then compose the op themselves); every other kernel is required and returns nothing.
   */
  readonly fused?: boolean;
}

/** The Backend methods that are kernels (every member but `name`). */
export type KernelName = Exclude<keyof Backend, 'name'>;

const view = (name: string, role: 'in' | 'out' | 'inout', dtype: DTypeRule = 'any', extra: { optional?: boolean; contiguous?: boolean } = {}): ArgSpec => ({ kind: 'view', name, role, dtype, ...extra });
const dense = (name: string, role: 'in' | 'out' | 'inout', dtype: DTypeRule = 'float', optional = false): ArgSpec => view(name, role, dtype, { contiguous: true, optional });
const num = (name: string, optional = false): ArgSpec => ({ kind: 'number', name, optional });

// Argument count of each Backend method, checked against `args` at compile time.
type Arity = { [K in KernelName]-?: Parameters<NonNullable<Backend[K]>>['length'] };
type Spec<K extends KernelName> = Omit<KernelSpec, 'name' | 'args'> & { readonly args: readonly ArgSpec[] & { readonly length: Arity[K] } };

const conv = (names: [string, string, string], bias?: string): ShapeRule =>
  bias === undefined ? { kind: 'conv2d', x: names[0], w: names[1], y: names[2] } : { kind: 'conv2d', x: names[0], w: names[1], y: names[2], bias };

/** The kernel table, keyed by Backend method name. Codes are stable: append, never renumber. */
const TABLE: { readonly [K in KernelName]-?: Spec<K> } = {
  copy: { code: 0, args: [view('src', 'in'), view('out', 'out')], shape: { kind: 'same', views: ['src', 'out'] } },
  fill: { code: 1, args: [view('out', 'out'), num('value')], shape: { kind: 'same', views: ['out'] } },
  unary: {
    code: 2,
    args: [{ kind: 'op', name: 'op', table: 'unary' }, view('x', 'in'), view('out', 'out'), num('alpha', true), num('beta', true)],
    shape: { kind: 'same', views: ['x', 'out'] },
  },
  binary: {
    code: 3,
    args: [{ kind: 'op', name: 'op', table: 'binary' }, view('a', 'in'), view('b', 'in'), view('out', 'out')],
    shape: { kind: 'same', views: ['a', 'b', 'out'] },
  },
  where: {
    code: 4,
    args: [view('cond', 'in', 'bool'), view('a', 'in'), view('b', 'in'), view('out', 'out')],
    shape: { kind: 'same', views: ['cond', 'a', 'b', 'out'] },
  },
  reduce: {
    code: 5,
    args: [{ kind: 'op', name: 'op', table: 'reduce' }, view('x', 'in'), { kind: 'dims', name: 'dims', of: 'x' }, view('out', 'out')],
    shape: { kind: 'reduce', x: 'x', out: 'out' },
  },
  argReduce: {
    code: 6,
    args: [{ kind: 'op', name: 'op', table: 'argReduce' }, view('x', 'in'), { kind: 'dim', name: 'dim', of: 'x' }, view('out', 'out', 'int32')],
    shape: { kind: 'reduce', x: 'x', out: 'out' },
  },
  matmul: {
    code: 7,
    args: [view('a', 'in'), view('b', 'in'), view('out', 'out')],
    shape: { kind: 'matmul', a: 'a', b: 'b', out: 'out' },
  },
  conv2d: {
    code: 8,
    args: [dense('x', 'in'), dense('w', 'in'), dense('out', 'out'), { kind: 'conv2d', name: 'p' }, view('bias', 'in', 'float', { optional: true })],
    shape: conv(['x', 'w', 'out'], 'bias'),
    dtypes: [{ kind: 'equal', views: ['x', 'w', 'out', 'bias'] }],
  },
  conv2dBackwardInput: {
    code: 9,
    args: [dense('gy', 'in'), dense('w', 'in'), dense('gx', 'out'), { kind: 'conv2d', name: 'p' }],
    shape: conv(['gx', 'w', 'gy']),
    dtypes: [{ kind: 'equal', views: ['gy', 'w', 'gx'] }],
  },
  conv2dBackwardWeight: {
    code: 10,
    args: [dense('x', 'in'), dense('gy', 'in'), dense('gw', 'out'), { kind: 'conv2d', name: 'p' }],
    shape: conv(['x', 'gw', 'gy']),
    dtypes: [{ kind: 'equal', views: ['x', 'gy', 'gw'] }],
  },
  maxPool2d: {
    code: 11,
    args: [dense('x', 'in'), dense('out', 'out'), dense('argmax', 'out', 'int32'), { kind: 'pool2d', name: 'p' }],
    shape: { kind: 'pool2d', x: 'x', y: 'out', extra: ['argmax'] },
    dtypes: [{ kind: 'equal', views: ['x', 'out'] }],
  },
  maxPool2dBackward: {
    code: 12,
    args: [dense('gy', 'in'), dense('argmax', 'in', 'int32'), dense('gx', 'out'), { kind: 'pool2d', name: 'p' }],
    shape: { kind: 'pool2d', x: 'gx', y: 'gy', extra: ['argmax'], indices: 'argmax' },
    dtypes: [{ kind: 'equal', views: ['gy', 'gx'] }],
  },
  avgPool2d: {
    code: 13,
    args: [dense('x', 'in'), dense('out', 'out'), { kind: 'pool2d', name: 'p' }],
    shape: { kind: 'pool2d', x: 'x', y: 'out' },
    dtypes: [{ kind: 'equal', views: ['x', 'out'] }],
  },
  avgPool2dBackward: {
    code: 14,
    args: [dense('gy', 'in'), dense('gx', 'out'), { kind: 'pool2d', name: 'p' }],
    shape: { kind: 'pool2d', x: 'gx', y: 'gy' },
    dtypes: [{ kind: 'equal', views: ['gy', 'gx'] }],
  },
  gather: {
    code: 15,
    args: [view('x', 'in'), { kind: 'dim', name: 'dim', of: 'x' }, view('index', 'in', 'int32'), view('out', 'out')],
    shape: { kind: 'gather', x: 'x', index: 'index', other: 'out' },
  },
  scatterAdd: {
    code: 16,
    args: [view('out', 'inout'), { kind: 'dim', name: 'dim', of: 'out' }, view('index', 'in', 'int32'), view('src', 'in')],
    shape: { kind: 'gather', x: 'out', index: 'index', other: 'src' },
  },
  adamStep: {
    code: 17,
    fused: true,
    args: [
      view('param', 'inout', 'float'), view('grad', 'in', 'float'), view('expAvg', 'inout', 'float'), view('expAvgSq', 'inout', 'float'),
      view('maxExpAvgSq', 'inout', 'float', { optional: true }), { kind: 'adam', name: 'p' },
    ],
    shape: { kind: 'dense', views: ['param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] },
  },
  sgdStep: {
    code: 18,
    fused: true,
    args: [view('param', 'inout', 'float'), view('grad', 'in', 'float'), view('momentumBuf', 'inout', 'float', { optional: true }), { kind: 'sgd', name: 'p' }],
    shape: { kind: 'dense', views: ['param', 'grad', 'momentumBuf'] },
  },
  channelStats: {
    code: 19,
    args: [dense('x', 'in'), dense('mean', 'out'), dense('variance', 'out')],
    shape: { kind: 'channels', ncs: ['x'], vec: ['mean', 'variance'] },
    dtypes: [{ kind: 'equal', views: ['x', 'mean', 'variance'] }],
  },
  channelGradSums: {
    code: 20,
    args: [dense('gy', 'in'), dense('x', 'in'), dense('mean', 'in'), dense('sumGy', 'out'), dense('sumGyXmu', 'out')],
    shape: { kind: 'channels', ncs: ['gy', 'x'], vec: ['mean', 'sumGy', 'sumGyXmu'] },
    dtypes: [{ kind: 'equal', views: ['gy', 'x', 'mean', 'sumGy', 'sumGyXmu'] }],
  },
  channelAffine: {
    code: 21,
    args: [dense('x', 'in'), dense('a', 'in'), dense('d', 'in'), dense('out', 'out'), dense('y', 'in', 'float', true), dense('b', 'in', 'float', true)],
    shape: { kind: 'channels', ncs: ['x', 'out', 'y'], vec: ['a', 'd', 'b'], pair: ['y', 'b'] },
    dtypes: [{ kind: 'equal', views: ['x', 'a', 'd', 'out', 'y', 'b'] }],
  },
  activationBackward: {
    code: 22,
    args: [{ kind: 'op', name: 'op', table: 'activation' }, view('g', 'in'), view('x', 'in'), view('y', 'in'), view('out', 'out'), num('alpha', true)],
    shape: { kind: 'same', views: ['g', 'x', 'y', 'out'] },
  },
  softmax: {
    code: 23,
    args: [view('x', 'in'), { kind: 'dim', name: 'dim', of: 'x' }, { kind: 'bool', name: 'log' }, view('out', 'out')],
    shape: { kind: 'same', views: ['x', 'out'] },
  },
  softmaxBackward: {
    code: 24,
    args: [view('g', 'in'), view('y', 'in'), { kind: 'dim', name: 'dim', of: 'g' }, { kind: 'bool', name: 'log' }, view('out', 'out')],
    shape: { kind: 'same', views: ['g', 'y', 'out'] },
  },
};

/** Every kernel, in code order. */
export const KERNELS: readonly KernelSpec[] = (Object.keys(TABLE) as KernelName[])
  .map((name): KernelSpec => ({ name, ...TABLE[name] }))
  .sort((a, b) => a.code - b.code);

/** The kernel spec of a Backend method. */
export function kernelSpec(name: KernelName): KernelSpec {
  return { name, ...TABLE[name] };
}

/** Code of each sub-op by name (e.g. SUB_OP_CODES.unary.exp === 1). */
export const SUB_OP_CODES: { readonly [T in SubOpTable]: Readonly<Record<(typeof SUB_OPS)[T][number], number>> } = {
  unary: codesOf(UNARY_OPS),
  binary: codesOf(BINARY_OPS),
  reduce: codesOf(REDUCE_OPS),
  activation: codesOf(ACTIVATION_OPS),
  argReduce: codesOf(ARG_REDUCE_OPS),
};

function codesOf<T extends string>(names: readonly T[]): Record<T, number> {
  const r = {} as Record<T, number>;
  names.forEach((n, i) => (r[n] = i));
  return r;
}

/** Numbers a conv2d parameter object is sent as: stride h/w, padding h/w, dilation h/w, groups. */
export const CONV2D_PARAMS = ['strideH', 'strideW', 'padH', 'padW', 'dilationH', 'dilationW', 'groups'] as const;
/** Numbers a pool2d parameter object is sent as. */
export const POOL2D_PARAMS = ['kernelH', 'kernelW', 'strideH', 'strideW', 'padH', 'padW', 'countIncludePad'] as const;
/** Numbers an Adam step is sent as. */
export const ADAM_PARAMS = ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'stepSize', 'bc2Sqrt', 'decoupled', 'maximize'] as const;
/** Numbers an SGD step is sent as. */
export const SGD_PARAMS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'firstStep'] as const;

/** How many numbers each parameter kind occupies in the native parameter list (dims: 1 + its length). */
export const PARAM_WIDTH: Readonly<Record<Exclude<ArgSpec['kind'], 'view'>, number>> = {
  op: 1, dim: 1, dims: 1, number: 1, bool: 1,
  conv2d: CONV2D_PARAMS.length, pool2d: POOL2D_PARAMS.length, adam: ADAM_PARAMS.length, sgd: SGD_PARAMS.length,
};

/** Fewest and most views a kernel takes (optional views may be left out). */
export function viewCounts(spec: KernelSpec): { min: number; max: number } {
  let min = 0, max = 0;
  for (const a of spec.args) {
    if (a.kind !== 'view') continue;
    max++;
    if (!a.optional) min++;
  }
  return { min, max };
}

/** Fewest numbers in a kernel's native parameter list (a dims list adds its length on top). */
export function minParams(spec: KernelSpec): number {
  let n = 0;
  for (const a of spec.args) if (a.kind !== 'view') n += PARAM_WIDTH[a.kind];
  return n;
}
