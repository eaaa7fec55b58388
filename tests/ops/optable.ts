// The op suite's one table: how each fixture op name runs in tsgrad. The PyTorch side of the same
// names lives in tools/gen_op_fixtures.py; the fixture and gradcheck tests both go through here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../src/index.js';
import { REPO_ROOT } from '../helpers.js';

/** Arguments of a fixture case, as written by the generator. */
export interface Args {
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
  pads?: number[];
  mode?: tg.PadMode;
  value?: number;
  descending?: boolean;
  k?: number;
  largest?: boolean;
  sizes?: number | number[];
  chunks?: number;
  reps?: number[];
}

type OpFn = (xs: tg.Tensor[], a: Args) => tg.Tensor;

const unary = (f: (x: tg.Tensor) => tg.Tensor): OpFn => (xs) => f(xs[0]!);
const dimArg = (a: Args): number | number[] | undefined => a.dim;
const pool = (a: Args): tg.Pool2dOptions => ({
  ...(a.stride !== undefined ? { stride: a.stride } : {}),
  ...(a.padding !== undefined ? { padding: a.padding } : {}),
  ...(a.countIncludePad !== undefined ? { countIncludePad: a.countIncludePad } : {}),
});

/** Every op of the fixture files, by name. */
export const OPS: Record<string, OpFn> = {
  neg: unary(tg.neg), exp: unary(tg.exp), log: unary(tg.log), sqrt: unary(tg.sqrt), rsqrt: unary(tg.rsqrt),
  abs: unary(tg.abs), reciprocal: unary(tg.reciprocal), square: unary(tg.square), sin: unary(tg.sin), cos: unary(tg.cos),
  log1p: unary(tg.log1p), expm1: unary(tg.expm1), relu: unary(tg.relu), sigmoid: unary(tg.sigmoid), tanh: unary(tg.tanh),
  leakyRelu: (xs, a) => (a.negativeSlope === undefined ? xs[0]!.leakyRelu() : xs[0]!.leakyRelu(a.negativeSlope)),
  elu: (xs, a) => (a.alpha === undefined ? xs[0]!.elu() : xs[0]!.elu(a.alpha)),
  clamp: (xs, a) => xs[0]!.clamp(a.min ?? null, a.max ?? null),
  add: (xs) => tg.add(xs[0]!, xs[1]!),
  sub: (xs) => tg.sub(xs[0]!, xs[1]!),
  mul: (xs) => xs[0]!.mul(xs[1]!),
  div: (xs) => xs[0]!.div(xs[1]!),
  pow: (xs) => xs[0]!.pow(xs[1]!),
  maximum: (xs) => tg.maximum(xs[0]!, xs[1]!),
  minimum: (xs) => tg.minimum(xs[0]!, xs[1]!),
  addScalar: (xs, a) => (a.left ? tg.add(a.scalar!, xs[0]!) : tg.add(xs[0]!, a.scalar!)),
  subScalar: (xs, a) => (a.left ? tg.sub(a.scalar!, xs[0]!) : tg.sub(xs[0]!, a.scalar!)),
  mulScalar: (xs, a) => (a.left ? tg.mul(a.scalar!, xs[0]!) : tg.mul(xs[0]!, a.scalar!)),
  divScalar: (xs, a) => (a.left ? tg.div(a.scalar!, xs[0]!) : tg.div(xs[0]!, a.scalar!)),
  powScalar: (xs, a) => xs[0]!.pow(a.exponent!),
  where: (xs) => tg.where(xs[0]!, xs[1]!, xs[2]!),
  sum: (xs, a) => xs[0]!.sum(dimArg(a), a.keepdim),
  mean: (xs, a) => xs[0]!.mean(dimArg(a), a.keepdim),
  max: (xs, a) => xs[0]!.max(dimArg(a), a.keepdim),
  min: (xs, a) => xs[0]!.min(dimArg(a), a.keepdim),
  prod: (xs, a) => xs[0]!.prod(dimArg(a), a.keepdim),
  logsumexp: (xs, a) => xs[0]!.logsumexp(dimArg(a), a.keepdim),
  var: (xs, a) => xs[0]!.var(dimArg(a), { unbiased: a.unbiased ?? true, keepdim: a.keepdim ?? false }),
  std: (xs, a) => xs[0]!.std(dimArg(a), { unbiased: a.unbiased ?? true, keepdim: a.keepdim ?? false }),
  softmax: (xs, a) => xs[0]!.softmax(a.dim as number),
  logSoftmax: (xs, a) => xs[0]!.logSoftmax(a.dim as number),
  matmul: (xs) => xs[0]!.matmul(xs[1]!),
  linear: (xs) => tg.linear(xs[0]!, xs[1]!, xs[2] ?? null),
  conv2d: (xs, a) => tg.conv2d(xs[0]!, xs[1]!, xs[2] ?? null, {
    ...(a.stride !== undefined ? { stride: a.stride } : {}),
    ...(a.padding !== undefined ? { padding: a.padding } : {}),
    ...(a.dilation !== undefined ? { dilation: a.dilation } : {}),
    ...(a.groups !== undefined ? { groups: a.groups } : {}),
  }),
  maxPool2d: (xs, a) => tg.maxPool2d(xs[0]!, a.kernel!, pool(a)),
  avgPool2d: (xs, a) => tg.avgPool2d(xs[0]!, a.kernel!, pool(a)),
  globalAvgPool2d: (xs) => tg.globalAvgPool2d(xs[0]!),
  reshape: (xs, a) => xs[0]!.reshape(a.shape!),
  // view needs a viewable layout: non-contiguous runs make the input contiguous first.
  view: (xs, a) => xs[0]!.contiguous().view(a.shape!),
  flatten: (xs, a) => xs[0]!.flatten(a.startDim, a.endDim),
  squeeze: (xs, a) => xs[0]!.squeeze(a.dim as number | undefined),
  unsqueeze: (xs, a) => xs[0]!.unsqueeze(a.dim as number),
  permute: (xs, a) => xs[0]!.permute(a.dims!),
  transpose: (xs, a) => xs[0]!.transpose(a.dim0!, a.dim1!),
  t: (xs) => xs[0]!.t(),
  slice: (xs, a) => xs[0]!.slice(a.dim as number, a.start ?? 0, a.end, a.step ?? 1),
  narrow: (xs, a) => xs[0]!.narrow(a.dim as number, a.start!, a.length!),
  select: (xs, a) => xs[0]!.select(a.dim as number, a.index!),
  expand: (xs, a) => xs[0]!.expand(a.shape!),
  contiguous: (xs) => xs[0]!.contiguous(),
  clone: (xs) => xs[0]!.clone(),
  castRoundTrip: (xs) => xs[0]!.float().to(xs[0]!.dtype),
  cat: (xs, a) => tg.cat(xs, a.dim as number),
  stack: (xs, a) => tg.stack(xs, a.dim as number),
  indexSelect: (xs, a) => xs[0]!.indexSelect(a.dim as number, xs[1]!),
  gather: (xs, a) => xs[0]!.gather(a.dim as number, xs[1]!),
  scatterAdd: (xs, a) => xs[0]!.scatterAdd(a.dim as number, xs[1]!, xs[2]!),
  pad: (xs, a) => tg.nn.functional.pad(xs[0]!, a.pads!, a.mode, a.value),
  sort: (xs, a) => xs[0]!.sort(a.dim as number | undefined, { descending: a.descending ?? false, stable: true }).values,
  topk: (xs, a) => xs[0]!.topk(a.k!, a.dim as number | undefined, a.largest ?? true).values,
  cumsum: (xs, a) => xs[0]!.cumsum(a.dim as number),
  // Every piece scaled by its position + 1 and concatenated again (as the generator does).
  splitCat: (xs, a) => tg.cat(xs[0]!.split(a.sizes!, a.dim as number).map((p, i) => p.mul(i + 1)), a.dim as number),
  chunkCat: (xs, a) => tg.cat(tg.chunk(xs[0]!, a.chunks!, a.dim as number).map((p, i) => p.mul(i + 1)), a.dim as number),
  maskedFill: (xs, a) => xs[0]!.maskedFill(xs[1]!, a.value!),
  maskedSelect: (xs) => tg.maskedSelect(xs[0]!, xs[1]!),
  repeat: (xs, a) => xs[0]!.repeat(a.reps!),
  flip: (xs, a) => xs[0]!.flip(a.dims!),
};

/** One input of a fixture case. */
export interface FixtureInput {
  shape: number[];
  dtype: 'float64' | 'int32' | 'bool';
  values: (number | boolean)[];
}

/** One case of a fixture file. */
export interface FixtureCase {
  name: string;
  op: string;
  args: Args;
  inputs: FixtureInput[];
  output: { shape: number[]; values: number[] };
  weights: number[];
  grads: (number[] | null)[];
}

/** Reads tests/fixtures/ops/<group>.json. */
export function loadCases(group: string): FixtureCase[] {
  const text = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'ops', `${group}.json`), 'utf8');
  return (JSON.parse(text) as { cases: FixtureCase[] }).cases;
}

/** How a float input is laid out in memory: contiguous, or the same values seen through a strided view. */
export type Layout = 'contiguous' | 'transposed' | 'strided';

/**
 * A leaf tensor holding `values` (row-major, of `shape`) in the given layout:
 * 'transposed' stores the last two dims swapped and views them back (needs 2+ dims),
 * 'strided' stores every value at an even position of a twice-as-long last dim and slices with step 2.
 */
export function makeLeaf(values: readonly number[], shape: readonly number[], dtype: 'float32' | 'float64', layout: Layout): tg.Tensor {
  const base = tg.tensor(Float64Array.from(values), { dtype, shape: [...shape] });
  let t: tg.Tensor;
  if (layout === 'transposed' && shape.length >= 2) {
    t = base.transpose(-1, -2).contiguous().transpose(-1, -2);
  } else if (layout === 'strided' && shape.length >= 1) {
    const wide = tg.zeros([...shape.slice(0, -1), shape[shape.length - 1]! * 2], { dtype });
    wide.slice(-1, 0, undefined, 2).copy_(base);
    t = wide.slice(-1, 0, undefined, 2);
  } else {
    t = base;
  }
  // detach() keeps the layout but makes a leaf we can ask gradients of.
  return t.detach().requiresGrad_(true);
}

/** Builds a case's inputs: float inputs in `dtype` and `layout` (requiring grad), int32/bool as given. */
export function caseInputs(c: FixtureCase, dtype: 'float32' | 'float64', layout: Layout): tg.Tensor[] {
  return c.inputs.map((inp) => {
    if (inp.dtype === 'float64') return makeLeaf(inp.values as number[], inp.shape, dtype, layout);
    if (inp.dtype === 'bool') return tg.tensor(Uint8Array.from(inp.values as boolean[], (v) => (v ? 1 : 0)), { dtype: 'bool', shape: inp.shape });
    return tg.tensor(Int32Array.from(inp.values as number[]), { shape: inp.shape });
  });
}

/** True when the layout changes anything for these inputs (some float input with enough dims). */
export function layoutApplies(c: FixtureCase, layout: Layout): boolean {
  if (layout === 'contiguous') return true;
  return c.inputs.some((i) => i.dtype === 'float64' && i.shape.length >= (layout === 'transposed' ? 2 : 1) && i.shape[i.shape.length - 1]! > 1);
}
