// The validation layer at the backend boundary: every call into any registered backend is
// checked against its entry in the kernel table (kernels.ts) before the backend sees it, so a
// backend may trust its arguments. A bad call throws a TsgradError naming the backend, the
// kernel and the offending view or parameter; nothing reaches a kernel that could read or
// write outside a view's storage.
import type { DType, Storage } from '../core/dtype.js';
import { DTypeError, IndexError, ShapeError, TsgradError, fmtShape } from '../core/errors.js';
import type { Backend, Conv2dParams, Pool2dParams, View } from './backend.js';
import { KERNELS, SUB_OP_CODES, type ArgSpec, type KernelSpec, type ShapeRule } from './kernels.js';

/** Most elements one view may address (broadcast views included); the native dispatcher uses the same bound. */
export const MAX_VIEW_ELEMENTS = 2 ** 40;

const STORAGE: Record<DType, new (n: number) => Storage> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

const DTYPE_RULE: Record<string, (d: DType) => boolean> = {
  any: () => true,
  float: (d) => d === 'float32' || d === 'float64',
  int32: (d) => d === 'int32',
  bool: (d) => d === 'bool',
};

/** Per call: where it is (for messages), its arguments, and each argument's position by name. */
interface Call {
  readonly where: string;
  readonly args: readonly unknown[];
  readonly at: Readonly<Record<string, number>>;
}

/** The named view of a call, or null when absent (an optional view left out, or no such name). */
function viewOf(c: Call, name: string): View | null {
  const i = c.at[name];
  return i === undefined ? null : ((c.args[i] as View | null | undefined) ?? null);
}

/** The named scalar argument of a call. */
function valueOf(c: Call, name: string): unknown {
  const i = c.at[name];
  return i === undefined ? undefined : c.args[i];
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x);
}

function viewName(where: string, name: string): string {
  return `${where}: view '${name}'`;
}

/** Checks one view on its own: well formed, dtype matching its storage and rule, inside its storage. */
function checkView(where: string, a: Extract<ArgSpec, { kind: 'view' }>, value: unknown): View | null {
  if (value === null || value === undefined) {
    if (a.optional) return null;
    throw new TsgradError(`${viewName(where, a.name)} is missing`);
  }
  const v = value as View;
  const at = viewName(where, a.name);
  const ctor = typeof v.dtype === 'string' ? STORAGE[v.dtype] : undefined;
  if (ctor === undefined) throw new DTypeError(`${at} has unknown dtype ${JSON.stringify(v.dtype)}`);
  if (!(v.data instanceof ctor)) throw new DTypeError(`${at} is ${v.dtype} but its storage is a ${(v.data as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? typeof v.data}`);
  if (a.dtype !== 'any' && !DTYPE_RULE[a.dtype]!(v.dtype)) throw new DTypeError(`${at} is ${v.dtype}, expected ${a.dtype === 'float' ? 'float32 or float64' : a.dtype}`);
  const shape = v.shape, strides = v.strides;
  if (!Array.isArray(shape) || !Array.isArray(strides) || shape.length !== strides.length) {
    throw new ShapeError(`${at} needs shape and strides arrays of one length`);
  }
  if (!isInt(v.offset) || v.offset < 0) throw new IndexError(`${at} has offset ${String(v.offset)}, expected an integer >= 0`);
  let lo = v.offset, hi = v.offset, numel = 1;
  let contiguous = true, expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n: unknown = shape[d], s: unknown = strides[d];
    if (!isInt(n) || n < 0) throw new ShapeError(`${at} has size ${String(n)} on dim ${d}, expected an integer >= 0`);
    if (!isInt(s)) throw new ShapeError(`${at} has stride ${String(s)} on dim ${d}, expected an integer`);
    numel *= n;
    if (n > 1 && s === 0 && a.role !== 'in') throw new ShapeError(`${at} is written but has stride 0 on dim ${d} of size ${n} (it would overlap itself)`);
    if (n !== 1 && s !== expected) contiguous = false;
    expected *= n;
    if (n > 0) {
      const span = (n - 1) * s;
      if (span < 0) lo += span;
      else hi += span;
    }
  }
  if (numel > MAX_VIEW_ELEMENTS) throw new ShapeError(`${at} has shape ${fmtShape(shape)}: more than 2^40 elements`);
  if (numel > 0 && (lo < 0 || hi >= v.data.length)) {
    throw new IndexError(`${at} (shape ${fmtShape(shape)}, strides ${fmtShape(strides)}, offset ${v.offset}) reaches element ${lo < 0 ? lo : hi}, outside its storage of ${v.data.length}`);
  }
  if (a.contiguous && !contiguous) throw new ShapeError(`${at} must be contiguous (shape ${fmtShape(shape)}, strides ${fmtShape(strides)})`);
  return v;
}

function checkAxis(where: string, name: string, d: unknown, rank: number): number {
  const n = Math.max(rank, 1); // a 0-d view has one implicit dim 0 (PyTorch: tensor(3.).sum(0))
  if (!isInt(d) || d < 0 || d >= n) throw new IndexError(`${where}: ${name} ${String(d)} is out of range for rank ${rank}`);
  return d;
}

function checkPair(where: string, what: string, p: unknown, min: number): void {
  if (!Array.isArray(p) || p.length !== 2 || !isInt(p[0]) || !isInt(p[1]) || p[0] < min || p[1] < min) {
    throw new TsgradError(`${where}: ${what} must be two integers >= ${min}, got ${JSON.stringify(p)}`);
  }
}

/** Checks one scalar argument on its own (dims against the rank of the view they refer to). */
function checkScalar(where: string, a: Exclude<ArgSpec, { kind: 'view' }>, value: unknown, rank: number): void {
  switch (a.kind) {
    case 'op': {
      const codes = SUB_OP_CODES[a.table] as Record<string, number>;
      if (typeof value !== 'string' || !Object.prototype.hasOwnProperty.call(codes, value)) {
        throw new TsgradError(`${where}: unknown ${a.table} op ${JSON.stringify(value)}`);
      }
      return;
    }
    case 'dim':
      checkAxis(where, a.name, value, rank);
      return;
    case 'dims': {
      if (!Array.isArray(value)) throw new TsgradError(`${where}: ${a.name} must be an array of dims`);
      const seen = new Set<number>();
      for (const d of value as unknown[]) {
        const k = checkAxis(where, 'dim', d, rank);
        if (seen.has(k)) throw new IndexError(`${where}: dim ${k} is listed twice in ${JSON.stringify(value)}`);
        seen.add(k);
      }
      return;
    }
    case 'number':
      if (typeof value !== 'number' && !(a.optional && value === undefined)) throw new TsgradError(`${where}: ${a.name} must be a number, got ${String(value)}`);
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw new TsgradError(`${where}: ${a.name} must be a boolean, got ${String(value)}`);
      return;
    case 'conv2d': {
      const p = value as Conv2dParams | undefined;
      if (typeof p !== 'object' || p === null) throw new TsgradError(`${where}: missing conv2d parameters`);
      checkPair(where, 'stride', p.stride, 1);
      checkPair(where, 'padding', p.padding, 0);
      checkPair(where, 'dilation', p.dilation, 1);
      if (!isInt(p.groups) || p.groups < 1) throw new TsgradError(`${where}: groups must be an integer >= 1, got ${String(p.groups)}`);
      return;
    }
    case 'pool2d': {
      const p = value as Pool2dParams | undefined;
      if (typeof p !== 'object' || p === null) throw new TsgradError(`${where}: missing pool2d parameters`);
      checkPair(where, 'kernel', p.kernel, 1);
      checkPair(where, 'stride', p.stride, 1);
      checkPair(where, 'padding', p.padding, 0);
      if (typeof p.countIncludePad !== 'boolean') throw new TsgradError(`${where}: countIncludePad must be a boolean`);
      return;
    }
    case 'adam':
    case 'sgd': {
      if (typeof value !== 'object' || value === null) throw new TsgradError(`${where}: missing ${a.kind} parameters`);
      const h = value as Record<string, unknown>;
      for (const k in h) {
        const x = h[k];
        if (typeof x !== 'number' && typeof x !== 'boolean') throw new TsgradError(`${where}: ${a.kind} parameter ${k} must be a number or boolean`);
      }
      return;
    }
  }
}

function mismatch(where: string, name: string, v: View, expected: readonly number[], why: string): never {
  throw new ShapeError(`${viewName(where, name)} has shape ${fmtShape(v.shape)}, expected ${fmtShape(expected)} (${why})`);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Output size of a sliding window, or -1 when the window does not fit the padded input. */
function outSize(input: number, pad: number, extent: number, stride: number): number {
  const span = input + 2 * pad - extent;
  return span < 0 ? -1 : Math.floor(span / stride) + 1;
}

function numel(v: View): number {
  let n = 1;
  for (const s of v.shape) n *= s;
  return n;
}

/** Each index of an int32 view lies in [0, limit). */
function checkIndices(where: string, name: string, v: View, limit: number): void {
  const nd = v.shape.length, idx = new Array<number>(nd).fill(0);
  const total = numel(v);
  let off = v.offset;
  for (let i = 0; i < total; i++) {
    const x = v.data[off]!;
    if (!(x >= 0 && x < limit)) throw new IndexError(`${viewName(where, name)} holds index ${x}, outside [0, ${limit})`);
    for (let d = nd - 1; d >= 0; d--) {
      off += v.strides[d]!;
      if (++idx[d]! < v.shape[d]!) break;
      off -= v.strides[d]! * v.shape[d]!;
      idx[d] = 0;
    }
  }
}

function checkRank(where: string, name: string, v: View, rank: number, layout: string): void {
  if (v.shape.length !== rank) throw new ShapeError(`${viewName(where, name)} has shape ${fmtShape(v.shape)}, expected ${layout}`);
}

/** Checks the shape relation of the kernel between its views. */
function checkShapes(rule: ShapeRule, c: Call): void {
  const where = c.where;
  const get = (n: string): View => viewOf(c, n)!;
  switch (rule.kind) {
    case 'same': {
      // Every listed view against the last one (the output); all are required here.
      const names = rule.views;
      const last = names[names.length - 1]!;
      const ref = get(last);
      for (let i = 0; i < names.length - 1; i++) {
        const v = get(names[i]!);
        if (!sameShape(v.shape, ref.shape)) mismatch(where, names[i]!, v, ref.shape, `the shape of '${last}'`);
      }
      return;
    }
    case 'reduce': {
      const x = get(rule.x), out = get(rule.out);
      const reduced = new Set<number>();
      const dims = valueOf(c, 'dims') ?? [valueOf(c, 'dim')];
      for (const d of dims as number[]) reduced.add(d);
      const want = x.shape.map((s, d) => (reduced.has(d) ? 1 : s));
      if (!sameShape(out.shape, want)) mismatch(where, rule.out, out, want, `'${rule.x}' ${fmtShape(x.shape)} reduced over ${JSON.stringify([...reduced])}, dims kept`);
      return;
    }
    case 'matmul': {
      const a = get(rule.a), b = get(rule.b), out = get(rule.out);
      checkRank(where, rule.a, a, 3, '[B,M,K]');
      checkRank(where, rule.b, b, 3, '[B,K,N]');
      const [B, M, K] = a.shape as [number, number, number];
      if (b.shape[0] !== B || b.shape[1] !== K) mismatch(where, rule.b, b, [B, K, b.shape[2]!], `[B,K,N] for '${rule.a}' ${fmtShape(a.shape)}`);
      const want = [B, M, b.shape[2]!];
      if (!sameShape(out.shape, want)) mismatch(where, rule.out, out, want, '[B,M,N]');
      return;
    }
    case 'conv2d': {
      const x = get(rule.x), w = get(rule.w), y = get(rule.y);
      checkRank(where, rule.x, x, 4, '[N,C,H,W]');
      checkRank(where, rule.w, w, 4, '[O,C/groups,KH,KW]');
      checkRank(where, rule.y, y, 4, '[N,O,OH,OW]');
      const p = valueOf(c, 'p') as Conv2dParams;
      const [N, C, H, W] = x.shape as [number, number, number, number];
      const [O, CG, KH, KW] = w.shape as [number, number, number, number];
      if (C % p.groups !== 0 || O % p.groups !== 0) throw new ShapeError(`${where}: channels ${C} (input) and ${O} (output) must be divisible by groups ${p.groups}`);
      if (CG !== C / p.groups) mismatch(where, rule.w, w, [O, C / p.groups, KH, KW], `input channels ${C} / groups ${p.groups}`);
      const want = [N, O, outSize(H, p.padding[0], p.dilation[0] * (KH - 1) + 1, p.stride[0]), outSize(W, p.padding[1], p.dilation[1] * (KW - 1) + 1, p.stride[1])];
      if (want[2]! < 0 || want[3]! < 0) throw new ShapeError(`${where}: the kernel ${KH}x${KW} (dilated) does not fit the padded input ${H}x${W}`);
      if (!sameShape(y.shape, want)) mismatch(where, rule.y, y, want, 'the convolution geometry');
      const bias = rule.bias ? viewOf(c, rule.bias) : null;
      if (bias && !sameShape(bias.shape, [O])) mismatch(where, rule.bias!, bias, [O], 'one per output channel');
      return;
    }
    case 'pool2d': {
      const x = get(rule.x), y = get(rule.y);
      checkRank(where, rule.x, x, 4, '[N,C,H,W]');
      checkRank(where, rule.y, y, 4, '[N,C,OH,OW]');
      const p = valueOf(c, 'p') as Pool2dParams;
      const [N, C, H, W] = x.shape as [number, number, number, number];
      const want = [N, C, outSize(H, p.padding[0], p.kernel[0], p.stride[0]), outSize(W, p.padding[1], p.kernel[1], p.stride[1])];
      if (want[2]! < 0 || want[3]! < 0) throw new ShapeError(`${where}: the window ${p.kernel[0]}x${p.kernel[1]} does not fit the padded input ${H}x${W}`);
      if (!sameShape(y.shape, want)) mismatch(where, rule.y, y, want, 'the pooling geometry');
      for (const n of rule.extra ?? []) {
        if (!sameShape(get(n).shape, y.shape)) mismatch(where, n, get(n), y.shape, `the shape of '${rule.y}'`);
      }
      // `indices` (maxPool2dBackward's argmax) are not scanned here: a pass over every pooled
      // position costs a few percent of a conv net's step. The native dispatcher scans them in C++
      // (a wasm build shares it), and ref's typed arrays cannot be written outside their storage.
      void rule.indices;
      return;
    }
    case 'gather': {
      const x = get(rule.x), index = get(rule.index), other = get(rule.other);
      const dim = valueOf(c, 'dim') as number;
      if (index.shape.length !== x.shape.length) mismatch(where, rule.index, index, x.shape, `the rank of '${rule.x}'`);
      if (!sameShape(other.shape, index.shape)) mismatch(where, rule.other, other, index.shape, `the shape of '${rule.index}'`);
      for (let d = 0; d < x.shape.length; d++) {
        if (d !== dim && index.shape[d]! > x.shape[d]!) throw new ShapeError(`${viewName(where, rule.index)} has size ${index.shape[d]} on dim ${d}, more than '${rule.x}' ${fmtShape(x.shape)}`);
      }
      checkIndices(where, rule.index, index, x.shape.length === 0 ? 1 : x.shape[dim]!);
      return;
    }
    case 'channels': {
      const [first, ...rest] = rule.ncs.filter((n) => viewOf(c, n));
      const x = get(first!);
      checkRank(where, first!, x, 3, '[N,C,S]');
      for (const n of rest) if (!sameShape(get(n).shape, x.shape)) mismatch(where, n, get(n), x.shape, `the shape of '${first}'`);
      for (const n of rule.vec) {
        const v = viewOf(c, n);
        if (v && !sameShape(v.shape, [x.shape[1]!])) mismatch(where, n, v, [x.shape[1]!], 'one per channel');
      }
      if (rule.pair && rule.pair.filter((n) => viewOf(c, n)).length === 1) throw new TsgradError(`${where}: views ${rule.pair.map((n) => `'${n}'`).join(' and ')} come together or not at all`);
      return;
    }
    case 'dense': {
      const names = rule.views.filter((n) => viewOf(c, n));
      const n0 = numel(get(names[0]!));
      for (const n of names) if (numel(get(n)) !== n0) throw new ShapeError(`${viewName(where, n)} has ${numel(get(n))} elements, expected ${n0} (like '${names[0]}')`);
      return;
    }
  }
}

/**
 * The shape check of a rule, compiled to argument positions for the kernels called most often
 * (elementwise, matmul, reductions); the other rules go through checkShapes.
 */
function compileShapes(rule: ShapeRule, at: Readonly<Record<string, number>>, where: string): (args: readonly unknown[]) => void {
  switch (rule.kind) {
    case 'same': {
      const idx = rule.views.map((n) => at[n]!);
      const last = idx[idx.length - 1]!, lastName = rule.views[rule.views.length - 1]!;
      return (args) => {
        const ref = (args[last] as View).shape;
        for (let k = 0; k < idx.length - 1; k++) {
          const v = args[idx[k]!] as View;
          if (!sameShape(v.shape, ref)) mismatch(where, rule.views[k]!, v, ref, `the shape of '${lastName}'`);
        }
      };
    }
    case 'reduce': {
      const xi = at[rule.x]!, oi = at[rule.out]!, di = at['dims'] ?? at['dim']!, many = at['dims'] !== undefined;
      return (args) => {
        const x = (args[xi] as View).shape, out = args[oi] as View;
        const dims = args[di] as number | readonly number[];
        let ok = out.shape.length === x.length;
        for (let d = 0; ok && d < x.length; d++) {
          const reduced = many ? (dims as readonly number[]).includes(d) : dims === d;
          ok = out.shape[d] === (reduced ? 1 : x[d]);
        }
        if (!ok) {
          const want = x.map((s, d) => ((many ? (dims as readonly number[]).includes(d) : dims === d) ? 1 : s));
          mismatch(where, rule.out, out, want, `'${rule.x}' ${fmtShape(x)} reduced over ${JSON.stringify(dims)}, dims kept`);
        }
      };
    }
    default:
      return (args) => checkShapes(rule, { where, args, at });
  }
}

/** A checker for one kernel: throws on a bad call, returns nothing otherwise. */
function makeChecker(spec: KernelSpec, backendName: string): (args: readonly unknown[]) => void {
  const where = `${backendName}.${spec.name}`;
  const { args: specs, shape, dtypes } = spec;
  const at: Record<string, number> = {};
  specs.forEach((a, i) => (at[a.name] = i));
  const viewIdx = specs.flatMap((a, i) => (a.kind === 'view' ? [i] : []));
  // Scalars with the position of the view whose rank a dim refers to (-1: none).
  const scalars = specs.flatMap((a, i) => (a.kind === 'view' ? [] : [{ i, a, of: a.kind === 'dim' || a.kind === 'dims' ? at[a.of]! : -1 }]));
  // Same-dtype groups as argument positions.
  const groups = (dtypes ?? []).map((rel) => rel.views.map((n) => at[n]!));
  const checkShape = compileShapes(shape, at, where);
  return (args) => {
    for (let k = 0; k < viewIdx.length; k++) checkView(where, specs[viewIdx[k]!] as Extract<ArgSpec, { kind: 'view' }>, args[viewIdx[k]!]);
    for (let k = 0; k < scalars.length; k++) {
      const sc = scalars[k]!;
      checkScalar(where, sc.a, args[sc.i], sc.of >= 0 ? (args[sc.of] as View).shape.length : 0);
    }
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k]!;
      let first = -1;
      for (const i of g) {
        const v = args[i] as View | null | undefined;
        if (!v) continue;
        if (first < 0) first = i;
        else if (v.dtype !== (args[first] as View).dtype) {
          throw new DTypeError(`${viewName(where, specs[i]!.name)} is ${v.dtype}, expected ${(args[first] as View).dtype} (the dtype of '${specs[first]!.name}')`);
        }
      }
    }
    checkShape(args);
  };
}

const wrapped = new WeakMap<Backend, Backend>();

/**
 * The backend with every kernel call checked against the kernel table first. Methods the
 * backend lacks (optional fused kernels) stay absent; `name` is unchanged. Wrapping is cached
 * per backend object.
 */
export function validated(inner: Backend): Backend {
  const hit = wrapped.get(inner);
  if (hit) return hit;
  const out: Record<string, unknown> = { name: inner.name };
  for (const spec of KERNELS) {
    const method = (inner as unknown as Record<string, unknown>)[spec.name];
    if (typeof method !== 'function') {
      if (!spec.fused) throw new TsgradError(`backend ${inner.name} lacks the required kernel ${spec.name}`);
      continue;
    }
    const fn = method as (...a: unknown[]) => unknown;
    const check = makeChecker(spec, inner.name);
    out[spec.name] = (...a: unknown[]): unknown => {
      check(a);
      return fn.apply(inner, a);
    };
  }
  const be = out as unknown as Backend;
  wrapped.set(inner, be);
  return be;
}
