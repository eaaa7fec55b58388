import assert from 'node:assert/strict';
import type { DType, Storage } from '../../src/core/dtype.js';
import type { Backend, View } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { nativeBackend, nativeFallbackCount, nativeLoadError } from '../../src/backend/native/index.js';
import { wasmBackend, wasmFallbackCount, wasmLoadError } from '../../src/backend/wasm/index.js';

/**
 * Which kernel backend these tests check against ref: the native addon, or with
 * TSGRAD_KERNEL_TEST_BACKEND=wasm the same kernels compiled to wasm (tests/wasm reruns them so).
 */
export const underTest: 'native' | 'wasm' = process.env['TSGRAD_KERNEL_TEST_BACKEND'] === 'wasm' ? 'wasm' : 'native';
const fallbackCount = underTest === 'wasm' ? wasmFallbackCount : nativeFallbackCount;

/**
 * The backend under test (null when it is not built), wrapped so that every
 * call fails the test if the kernel quietly handed the work to ref.
 */
export const nat: Backend | null = strict(underTest === 'wasm' ? wasmBackend() : nativeBackend());

function strict(be: Backend | null): Backend | null {
  if (!be) return null;
  return new Proxy(be, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const before = fallbackCount();
        const r: unknown = (v as (...a: unknown[]) => unknown).apply(target, args);
        assert.equal(fallbackCount(), before, `${underTest} ${String(key)} fell back to the ref kernel`);
        return r;
      };
    },
  });
}
export const ref: Backend = refBackend;
/** Skip reason for node:test when the addon is missing. */
export const skip: string | false = nat ? false : underTest === 'wasm' ? `wasm module not loadable: ${wasmLoadError()}` : `native addon not built: ${nativeLoadError()}`;

/** A small seeded generator (mulberry32) so the tests never depend on library RNG code. */
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
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function alloc(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
  }
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** Layouts a test view can take: plain, offset with padded rows, reversed dim order (transposed), broadcast dim 0. */
export type Layout = 'contiguous' | 'padded' | 'transposed' | 'broadcast';

/** A view of `shape` in the given layout, filled with values from `gen`. */
export function makeView(shape: readonly number[], dtype: DType, layout: Layout, gen: () => number): View {
  const nd = shape.length;
  let strides: number[];
  let size: number;
  let offset = 0;
  if (layout === 'padded') {
    const padded = shape.map((s) => s + 1);
    strides = contiguousStrides(padded);
    offset = 3;
    size = offset + padded.reduce((a, b) => a * b, 1);
  } else if (layout === 'transposed') {
    const rev = [...shape].reverse();
    const rs = contiguousStrides(rev);
    strides = rs.reverse();
    size = shape.reduce((a, b) => a * b, 1);
  } else if (layout === 'broadcast' && nd > 0) {
    const inner = shape.slice(1);
    strides = [0, ...contiguousStrides(inner)];
    size = inner.reduce((a, b) => a * b, 1);
  } else {
    strides = contiguousStrides(shape);
    size = shape.reduce((a, b) => a * b, 1);
  }
  const data = alloc(dtype, Math.max(size, 1));
  for (let i = 0; i < data.length; i++) data[i] = gen();
  return { data, dtype, shape: [...shape], strides, offset };
}

/** A contiguous zero view of `shape` (an output buffer). */
export function zeros(shape: readonly number[], dtype: DType): View {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: alloc(dtype, Math.max(n, 1)), dtype, shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

/** A deep copy of a view's storage (same layout), so ref and native write separate buffers. */
export function clone(v: View): View {
  return { ...v, data: v.data.slice() as Storage };
}

/** Reads a view's elements in row-major order. */
export function read(v: View): number[] {
  const out: number[] = [];
  const nd = v.shape.length;
  const n = v.shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < n; i++) {
    let o = v.offset;
    for (let d = 0; d < nd; d++) o += idx[d]! * v.strides[d]!;
    out.push(Number(v.data[o]));
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < v.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Asserts |a-e| <= atol + rtol·|e| elementwise (NaN equals NaN, infinities must match). */
export function close(actual: readonly number[], expected: readonly number[], rtol: number, atol: number, msg: string): void {
  assert.equal(actual.length, expected.length, `${msg}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e)) continue;
    assert.fail(`${msg}: element ${i} is ${a}, expected ${e}`);
  }
}

/** Tolerances for a dtype: float32 ~1e-5 relative, float64 tight. */
export function tol(dtype: DType, scale = 1): { rtol: number; atol: number } {
  return dtype === 'float32' ? { rtol: 1e-5, atol: 1e-6 * scale } : { rtol: 1e-12, atol: 1e-13 * scale };
}
