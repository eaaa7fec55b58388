// The fixture op names of tests/ops/optable.ts, mapped to tsgrad ops for the browser page
// (optable.ts itself reads files with node:fs, so the page cannot import it).
import { Tensor } from '../../src/tensor/tensor.js';
import * as ops from '../../src/ops/index.js';

/** Arguments of a fixture case (the subset the ops read). */
export interface GpuArgs {
  dim?: number | number[];
  keepdim?: boolean;
  unbiased?: boolean;
  negativeSlope?: number;
  alpha?: number;
  min?: number;
  max?: number;
  scalar?: number;
  left?: boolean;
  exponent?: number;
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
  kernel?: number | [number, number];
  countIncludePad?: boolean;
  shape?: number[];
  startDim?: number;
  endDim?: number;
  dims?: number[];
  dim0?: number;
  dim1?: number;
  start?: number;
  end?: number;
  step?: number;
  length?: number;
  index?: number;
}

/** One case of tests/fixtures/ops/<group>.json. */
export interface GpuCase {
  name: string;
  op: string;
  args: GpuArgs;
  inputs: { shape: number[]; dtype: 'float64' | 'int32' | 'bool'; values: (number | boolean)[] }[];
  output: { shape: number[]; values: number[] };
  weights: number[];
  grads: (number[] | null)[];
}

type OpFn = (xs: Tensor[], a: GpuArgs) => Tensor;
const u = (f: (x: Tensor) => Tensor): OpFn => (xs) => f(xs[0]!);
const pool = (a: GpuArgs): ops.Pool2dOptions => ({
  ...(a.stride !== undefined ? { stride: a.stride } : {}),
  ...(a.padding !== undefined ? { padding: a.padding } : {}),
  ...(a.countIncludePad !== undefined ? { countIncludePad: a.countIncludePad } : {}),
});
const sc = (f: (a: Tensor | number, b: Tensor | number) => Tensor): OpFn => (xs, a) => (a.left ? f(a.scalar!, xs[0]!) : f(xs[0]!, a.scalar!));

/** Every fixture op, by name. */
export const GPU_OPS: Record<string, OpFn> = {
  neg: u(ops.neg), exp: u(ops.exp), log: u(ops.log), sqrt: u(ops.sqrt), rsqrt: u(ops.rsqrt), abs: u(ops.abs),
  reciprocal: u(ops.reciprocal), square: u(ops.square), sin: u(ops.sin), cos: u(ops.cos), log1p: u(ops.log1p),
  expm1: u(ops.expm1), relu: u(ops.relu), sigmoid: u(ops.sigmoid), tanh: u(ops.tanh),
  leakyRelu: (xs, a) => (a.negativeSlope === undefined ? xs[0]!.leakyRelu() : xs[0]!.leakyRelu(a.negativeSlope)),
  elu: (xs, a) => (a.alpha === undefined ? xs[0]!.elu() : xs[0]!.elu(a.alpha)),
  clamp: (xs, a) => xs[0]!.clamp(a.min ?? null, a.max ?? null),
  add: (xs) => ops.add(xs[0]!, xs[1]!), sub: (xs) => ops.sub(xs[0]!, xs[1]!), mul: (xs) => ops.mul(xs[0]!, xs[1]!),
  div: (xs) => ops.div(xs[0]!, xs[1]!), pow: (xs) => xs[0]!.pow(xs[1]!),
  maximum: (xs) => ops.maximum(xs[0]!, xs[1]!), minimum: (xs) => ops.minimum(xs[0]!, xs[1]!),
  addScalar: sc(ops.add), subScalar: sc(ops.sub), mulScalar: sc(ops.mul), divScalar: sc(ops.div),
  powScalar: (xs, a) => xs[0]!.pow(a.exponent!),
  where: (xs) => ops.where(xs[0]!, xs[1]!, xs[2]!),
  sum: (xs, a) => xs[0]!.sum(a.dim, a.keepdim), mean: (xs, a) => xs[0]!.mean(a.dim, a.keepdim),
  max: (xs, a) => xs[0]!.max(a.dim, a.keepdim), min: (xs, a) => xs[0]!.min(a.dim, a.keepdim),
  prod: (xs, a) => xs[0]!.prod(a.dim, a.keepdim), logsumexp: (xs, a) => xs[0]!.logsumexp(a.dim, a.keepdim),
  var: (xs, a) => xs[0]!.var(a.dim, { unbiased: a.unbiased ?? true, keepdim: a.keepdim ?? false }),
  std: (xs, a) => xs[0]!.std(a.dim, { unbiased: a.unbiased ?? true, keepdim: a.keepdim ?? false }),
  softmax: (xs, a) => xs[0]!.softmax(a.dim as number), logSoftmax: (xs, a) => xs[0]!.logSoftmax(a.dim as number),
  matmul: (xs) => xs[0]!.matmul(xs[1]!), linear: (xs) => ops.linear(xs[0]!, xs[1]!, xs[2] ?? null),
  conv2d: (xs, a) => ops.conv2d(xs[0]!, xs[1]!, xs[2] ?? null, {
    ...(a.stride !== undefined ? { stride: a.stride } : {}),
    ...(a.padding !== undefined ? { padding: a.padding } : {}),
    ...(a.dilation !== undefined ? { dilation: a.dilation } : {}),
    ...(a.groups !== undefined ? { groups: a.groups } : {}),
  }),
  maxPool2d: (xs, a) => ops.maxPool2d(xs[0]!, a.kernel!, pool(a)), avgPool2d: (xs, a) => ops.avgPool2d(xs[0]!, a.kernel!, pool(a)),
  globalAvgPool2d: (xs) => ops.globalAvgPool2d(xs[0]!),
  reshape: (xs, a) => xs[0]!.reshape(a.shape!), view: (xs, a) => xs[0]!.contiguous().view(a.shape!),
  flatten: (xs, a) => xs[0]!.flatten(a.startDim, a.endDim), squeeze: (xs, a) => xs[0]!.squeeze(a.dim as number | undefined),
  unsqueeze: (xs, a) => xs[0]!.unsqueeze(a.dim as number), permute: (xs, a) => xs[0]!.permute(a.dims!),
  transpose: (xs, a) => xs[0]!.transpose(a.dim0!, a.dim1!), t: (xs) => xs[0]!.t(),
  slice: (xs, a) => xs[0]!.slice(a.dim as number, a.start ?? 0, a.end, a.step ?? 1),
  narrow: (xs, a) => xs[0]!.narrow(a.dim as number, a.start!, a.length!), select: (xs, a) => xs[0]!.select(a.dim as number, a.index!),
  expand: (xs, a) => xs[0]!.expand(a.shape!), contiguous: (xs) => xs[0]!.contiguous(), clone: (xs) => xs[0]!.clone(),
  castRoundTrip: (xs) => xs[0]!.float().to(xs[0]!.dtype),
  cat: (xs, a) => ops.cat(xs, a.dim as number), stack: (xs, a) => ops.stack(xs, a.dim as number),
  indexSelect: (xs, a) => xs[0]!.indexSelect(a.dim as number, xs[1]!), gather: (xs, a) => xs[0]!.gather(a.dim as number, xs[1]!),
  scatterAdd: (xs, a) => xs[0]!.scatterAdd(a.dim as number, xs[1]!, xs[2]!),
};
