import assert from 'node:assert/strict';
import * as tg from '../src/index.js';
import { onBackend, suiteBackends } from './backends.js';

/** Flattens a tensor or nested array into plain numbers. */
export function flat(x: tg.Tensor | tg.NestedArray): number[] {
  if (x instanceof tg.Tensor) return Array.from(x.toTypedArray(), Number);
  if (Array.isArray(x)) return x.flatMap((v) => flat(v));
  return [Number(x)];
}

/** Asserts elementwise |a - e| <= atol + rtol·|e| (NaN matches NaN), naming the first bad element. */
export function assertClose(actual: tg.Tensor | tg.NestedArray, expected: tg.Tensor | tg.NestedArray, opts: { atol?: number; rtol?: number; msg?: string } = {}): void {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  const a = flat(actual);
  const e = flat(expected);
  if (actual instanceof tg.Tensor && expected instanceof tg.Tensor) assert.deepEqual(actual.shape, expected.shape, `${opts.msg ?? ''} shape`);
  assert.equal(a.length, e.length, `${opts.msg ?? ''}: ${a.length} elements, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = (Number.isNaN(a[i]!) && Number.isNaN(e[i]!)) || a[i] === e[i] || Math.abs(a[i]! - e[i]!) <= atol + rtol * Math.abs(e[i]!);
    if (!ok) assert.fail(`${opts.msg ?? 'assertClose'}: element ${i} is ${a[i]}, expected ${e[i]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Names of the backends the op suite runs on (every registered one; TSGRAD_TEST_BACKENDS narrows it). */
export function testBackends(): string[] {
  return suiteBackends();
}

/**
 * Runs `fn` with the named backend selected, restoring the previous one afterwards; fails when
 * the backend running is not the one asked for (e.g. 'native' without a built addon).
 */
export function withBackend<T>(name: string, fn: () => T): T {
  return onBackend(name, fn);
}

/** A float64 tensor of seeded normals that requires grad, for gradchecks. */
export function randd(shape: number[], seed = 0): tg.Tensor {
  return tg.randn(shape, { dtype: 'float64', generator: new tg.Generator(seed), requiresGrad: true });
}

/** The repository root (tests run from dist/tests or dist-NAME/tests). */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/** Folder of the real MNIST / Fashion-MNIST files: $TSGRAD_SHARED_DATA or ../shared/datasets beside the repo. */
export function sharedDatasets(): string {
  return process.env['TSGRAD_SHARED_DATA'] ?? new URL('../../../shared/datasets/', import.meta.url).pathname;
}
