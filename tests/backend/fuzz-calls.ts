// Random kernel calls for the boundary fuzz test: a valid call for any kernel of the table,
// built from its shape rule, and mutations that break one thing about it (a shape, a stride,
// an offset, a dtype, an op code, a dim, a geometry parameter, a missing view).
import type { DType, Storage } from '../../src/core/dtype.js';
import type { View } from '../../src/backend/backend.js';
import { SUB_OPS, type ArgSpec, type KernelSpec } from '../../src/backend/kernels.js';

/** mulberry32: small, seeded, and independent of library RNG code. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const CTOR: Record<DType, new (n: number) => Storage> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };

/** A mutable view: the fuzz rewrites its fields. */
export interface FuzzView {
  data: Storage;
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

function makeView(shape: number[], dtype: DType, rng: Rng, fill: (i: number) => number = () => rng.next() * 4 - 2): FuzzView {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new CTOR[dtype](n);
  for (let i = 0; i < n; i++) data[i] = dtype === 'bool' ? rng.int(2) : dtype === 'int32' ? rng.int(7) - 3 : fill(i);
  return { data, dtype, shape, strides: contiguous(shape), offset: 0 };
}

function dtypeFor(a: Extract<ArgSpec, { kind: 'view' }>, base: DType): DType {
  if (a.dtype === 'int32' || a.dtype === 'bool') return a.dtype;
  return base;
}

const dim = (rng: Rng, max = 4): number => 1 + rng.int(max);

/** One valid call of `spec` (its arguments in Backend-method order). */
export function validCall(spec: KernelSpec, rng: Rng): unknown[] {
  const base: DType = rng.pick(['float32', 'float64'] as const);
  const shapes = new Map<string, number[]>();
  const scalars = new Map<string, unknown>();
  const indexFill = new Map<string, number>(); // view name -> exclusive bound of its int32 values
  const r = spec.shape;
  const views = spec.args.filter((a): a is Extract<ArgSpec, { kind: 'view' }> => a.kind === 'view');
  switch (r.kind) {
    case 'same': {
      const s = Array.from({ length: rng.int(4) }, () => dim(rng));
      for (const n of r.views) shapes.set(n, [...s]);
      break;
    }
    case 'reduce': {
      const x = Array.from({ length: 1 + rng.int(3) }, () => dim(rng));
      const dimsArg = spec.args.find((a) => a.kind === 'dims');
      const dims = dimsArg ? x.map((_, d) => d).filter(() => rng.next() < 0.5) : [rng.int(x.length)];
      scalars.set(dimsArg ? 'dims' : 'dim', dimsArg ? dims : dims[0]);
      shapes.set(r.x, x);
      shapes.set(r.out, x.map((s, d) => (dims.includes(d) ? 1 : s)));
      break;
    }
    case 'matmul': {
      const [B, M, K, N] = [dim(rng, 2), dim(rng, 5), dim(rng, 5), dim(rng, 5)];
      shapes.set(r.a, [B, M, K]).set(r.b, [B, K, N]).set(r.out, [B, M, N]);
      break;
    }
    case 'conv2d': {
      const g = rng.pick([1, 1, 2]);
      const [N, C, O, KH, KW] = [dim(rng, 2), g * dim(rng, 2), g * dim(rng, 2), dim(rng, 3), dim(rng, 3)];
      const [H, W] = [KH + rng.int(4), KW + rng.int(4)];
      const p = { stride: [dim(rng, 2), dim(rng, 2)] as [number, number], padding: [rng.int(2), rng.int(2)] as [number, number], dilation: [1, 1] as [number, number], groups: g };
      const OH = Math.floor((H + 2 * p.padding[0] - KH) / p.stride[0]) + 1, OW = Math.floor((W + 2 * p.padding[1] - KW) / p.stride[1]) + 1;
      shapes.set(r.x, [N, C, H, W]).set(r.w, [O, C / g, KH, KW]).set(r.y, [N, O, OH, OW]);
      if (r.bias) shapes.set(r.bias, [O]);
      scalars.set('p', p);
      break;
    }
    case 'pool2d': {
      const [N, C, KH, KW] = [dim(rng, 2), dim(rng, 3), dim(rng, 3), dim(rng, 3)];
      const [H, W] = [KH + rng.int(4), KW + rng.int(4)];
      const p = { kernel: [KH, KW] as [number, number], stride: [dim(rng, 2), dim(rng, 2)] as [number, number], padding: [rng.int(Math.floor(KH / 2) + 1), rng.int(Math.floor(KW / 2) + 1)] as [number, number], countIncludePad: rng.next() < 0.5 };
      const OH = Math.floor((H + 2 * p.padding[0] - KH) / p.stride[0]) + 1, OW = Math.floor((W + 2 * p.padding[1] - KW) / p.stride[1]) + 1;
      shapes.set(r.x, [N, C, H, W]).set(r.y, [N, C, OH, OW]);
      for (const e of r.extra ?? []) shapes.set(e, [N, C, OH, OW]);
      if (r.indices) indexFill.set(r.indices, H * W);
      scalars.set('p', p);
      break;
    }
    case 'gather': {
      const x = Array.from({ length: 1 + rng.int(3) }, () => dim(rng));
      const d = rng.int(x.length);
      const index = x.map((s, k) => (k === d ? dim(rng) : 1 + rng.int(s)));
      shapes.set(r.x, x).set(r.index, index).set(r.other, [...index]);
      indexFill.set(r.index, x[d]!);
      scalars.set('dim', d);
      break;
    }
    case 'channels': {
      const [N, C, S] = [dim(rng, 3), dim(rng, 3), dim(rng, 5)];
      for (const n of r.ncs) shapes.set(n, [N, C, S]);
      for (const n of r.vec) shapes.set(n, [C]);
      break;
    }
    case 'dense': {
      const n = dim(rng, 40);
      for (const v of r.views) shapes.set(v, [n]);
      break;
    }
  }
  const built = new Map<string, FuzzView | null>();
  const pairOn = rng.next() < 0.5;
  for (const a of views) {
    const optionalOff = a.optional && (r.kind === 'channels' && r.pair?.includes(a.name) ? !pairOn : rng.next() < 0.5);
    if (optionalOff || !shapes.has(a.name)) {
      built.set(a.name, null);
      continue;
    }
    const bound = indexFill.get(a.name);
    const v = makeView(shapes.get(a.name)!, dtypeFor(a, base), rng);
    if (bound !== undefined) for (let i = 0; i < v.data.length; i++) v.data[i] = rng.int(bound);
    built.set(a.name, v);
  }
  return spec.args.map((a) => {
    switch (a.kind) {
      case 'view': return built.get(a.name) ?? null;
      case 'op': return rng.pick(SUB_OPS[a.table] as readonly string[]);
      case 'dim': return scalars.get(a.name) ?? rng.int(Math.max(1, (built.get(a.of) as View | null)?.shape.length ?? 1));
      case 'dims': return scalars.get(a.name) ?? [];
      case 'number': return rng.next() * 2 - 1;
      case 'bool': return rng.next() < 0.5;
      case 'conv2d': case 'pool2d': return scalars.get('p');
      case 'adam': return { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: true, maximize: false, stepSize: 0.01, bc2Sqrt: 0.5 };
      case 'sgd': return { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep: true };
    }
  });
}

const BAD_NUMBERS = [-1, -7, 2 ** 45, 2 ** 53 + 2, 1.5, NaN, Infinity, -Infinity];
const OTHER: Record<DType, DType> = { float32: 'float64', float64: 'int32', int32: 'bool', bool: 'float32' };

/** Breaks one thing about a valid call, in place; returns what it did (for failure messages). */
export function mutate(spec: KernelSpec, args: unknown[], rng: Rng): string {
  const viewIdx = spec.args.map((a, i) => (a.kind === 'view' && args[i] ? i : -1)).filter((i) => i >= 0);
  const scalarIdx = spec.args.map((a, i) => (a.kind !== 'view' ? i : -1)).filter((i) => i >= 0);
  const kind = rng.int(scalarIdx.length ? 11 : 9);
  const vi = rng.pick(viewIdx);
  const v = args[vi] as FuzzView;
  const name = (spec.args[vi] as { name: string }).name;
  const d = v.shape.length ? rng.int(v.shape.length) : -1;
  switch (kind) {
    case 0:
      if (d < 0) { v.shape = [2]; v.strides = [1]; return `${name}: rank 0 -> [2]`; }
      v.shape[d] = v.shape[d]! + 1 + rng.int(3);
      return `${name}: size +n on dim ${d}`;
    case 1:
      if (d < 0) { v.offset = v.data.length; return `${name}: offset past the end`; }
      v.shape[d] = rng.pick(BAD_NUMBERS);
      return `${name}: size ${v.shape[d]} on dim ${d}`;
    case 2:
      if (d < 0) { v.offset = -1; return `${name}: offset -1`; }
      v.strides[d] = rng.pick([v.data.length, -v.data.length, 2 ** 40, -1, 0.5, NaN, 2 ** 60]);
      return `${name}: stride ${v.strides[d]} on dim ${d}`;
    case 3:
      v.offset = rng.pick([v.data.length, v.data.length + 5, -1, 1.5, NaN, 2 ** 60]);
      return `${name}: offset ${v.offset}`;
    case 4: {
      const to = OTHER[v.dtype];
      if (rng.next() >= 0.5) v.data = new CTOR[to](v.data.length); // a consistent but wrong dtype
      v.dtype = to; // else only the label disagrees with the storage
      return `${name}: dtype ${to}`;
    }
    case 5:
      if (d < 0) { v.strides = [1]; return `${name}: strides longer than shape`; }
      v.strides = v.strides.slice(1);
      return `${name}: strides shorter than shape`;
    case 6:
      if (d < 0) { v.shape = [2 ** 45]; v.strides = [0]; return `${name}: huge broadcast`; }
      v.shape[d] = 2 ** 41;
      v.strides[d] = 0;
      return `${name}: size 2^41 with stride 0 on dim ${d}`;
    case 7:
      args[vi] = (spec.args[vi] as { optional?: boolean }).optional ? { ...v, shape: [...v.shape, 3], strides: [...v.strides, 0] } : null;
      return `${name}: removed or rank changed`;
    case 8:
      args[vi] = { ...v, data: new CTOR[v.dtype](0) };
      return `${name}: empty storage`;
    default: {
      const si = rng.pick(scalarIdx);
      const a = spec.args[si]!;
      switch (a.kind) {
        case 'op': args[si] = rng.pick(['nope', '', 'toString', 42, undefined]); break;
        case 'dim': args[si] = rng.pick([-1, 99, 1.5, NaN, '0']); break;
        case 'dims': args[si] = rng.pick([[99], [-1], [0, 0], 'x', [NaN]]); break;
        case 'number': args[si] = rng.pick(['1', {}, null]); break;
        case 'bool': args[si] = rng.pick([1, 'yes', undefined]); break;
        case 'conv2d': args[si] = rng.pick([{ stride: [0, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }, { stride: [1, 1], padding: [-1, 0], dilation: [1, 1], groups: 1 }, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 0 }, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 7 }, null]); break;
        case 'pool2d': args[si] = rng.pick([{ kernel: [0, 1], stride: [1, 1], padding: [0, 0], countIncludePad: true }, { kernel: [99, 99], stride: [1, 1], padding: [0, 0], countIncludePad: true }, { kernel: [1, 1], stride: [-1, 1], padding: [0, 0], countIncludePad: false }, null]); break;
        case 'adam': case 'sgd': args[si] = rng.pick([null, { lr: 'x' }]); break;
      }
      return `parameter ${a.name}: ${JSON.stringify(args[si]) ?? 'undefined'}`;
    }
  }
}
