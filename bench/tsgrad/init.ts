/**
 * Parameter initialisers for the tsgrad workloads. `seededInit` draws from
 * tsgrad's generator (the benchmark); `hashInit` computes every value from an
 * integer hash of (parameter index, element index), so that
 * bench/make_check_fixtures.py can build bit-identical weights in PyTorch
 * without committing megabytes of numbers.
 */
import * as tg from '../../src/index.js';

/** What a parameter is, which decides its initial distribution. */
export type ParamKind = 'weight' | 'bias' | 'bnWeight' | 'bnBias';

/** Makes the initial value of parameter number `index` (a leaf that requires grad). */
export type InitFn = (index: number, shape: readonly number[], kind: ParamKind, fanIn: number) => tg.Tensor;

/**
 * Uniform in [0, 1) from a 32-bit integer hash of (seed, i); exactly 24
 * random bits, so float32 and float64 hold it exactly. Mirrored by
 * hash_uniform() in bench/make_check_fixtures.py.
 */
export function hashUniform(seed: number, i: number): number {
  let h = (Math.imul(i, 0x9e3779b1) ^ Math.imul(seed + 1, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return (h >>> 8) / 16777216;
}

/** [lo, hi) bounds of each kind: PyTorch's default Linear/Conv bounds ±1/sqrt(fanIn); BatchNorm gets 1 ± 0.5 and ±0.5 under hashInit. */
function bounds(kind: ParamKind, fanIn: number, hashed: boolean): [number, number] {
  const b = 1 / Math.sqrt(fanIn);
  if (kind === 'bnWeight') return hashed ? [0.5, 1.5] : [1, 1];
  if (kind === 'bnBias') return hashed ? [-0.5, 0.5] : [0, 0];
  return [-b, b];
}

/** A float32 tensor of `n` values lo + (hi - lo)·u, computed in float64 and rounded once. */
function fromUniform(shape: readonly number[], lo: number, hi: number, u: (i: number) => number): tg.Tensor {
  const n = shape.reduce((a, s) => a * s, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * u(i);
  return tg.tensor(data, { shape, requiresGrad: true });
}

/** Initialiser drawing from a seeded tsgrad Generator (PyTorch's default distributions). */
export function seededInit(seed: number): InitFn {
  const g = new tg.Generator(seed);
  return (_index, shape, kind, fanIn) => {
    const [lo, hi] = bounds(kind, fanIn, false);
    return fromUniform(shape, lo, hi, () => g.random());
  };
}

/** Initialiser computing every value from hashUniform(parameter index, element index). */
export const hashInit: InitFn = (index, shape, kind, fanIn) => {
  const [lo, hi] = bounds(kind, fanIn, true);
  return fromUniform(shape, lo, hi, (i) => hashUniform(index, i));
};

/** A float32 tensor of hashUniform(seed, i) values in [0, 1) (synthetic inputs for the checks). */
export function hashTensor(seed: number, shape: readonly number[]): tg.Tensor {
  const t = fromUniform(shape, 0, 1, (i) => hashUniform(seed, i));
  t.requiresGrad = false;
  return t;
}

/** int32 labels [n, 1] in 0..classes-1 from the hash (synthetic targets for the checks). */
export function hashLabels(seed: number, n: number, classes: number): tg.Tensor {
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(hashUniform(seed, i) * classes);
  return tg.tensor(data, { shape: [n, 1] });
}
