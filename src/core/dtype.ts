/** Element types a tensor can hold. `bool` is stored one byte per element. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The typed array that backs each dtype. */
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Maps a dtype to its typed-array type. */
export interface StorageOf {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** All dtypes, in promotion order (lowest first). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/**
 * Why an allocation failed, as a RangeError naming `what` (the op and shape), the element count and
 * the bytes, instead of Node's bare "Invalid typed array length".
 */
function allocError(dtype: DType, size: number, what: string | undefined, e: unknown): never {
  const gb = (size * BYTES[dtype]) / 1e9;
  const why = e instanceof Error ? e.message : String(e);
  throw new RangeError(`${what ? `${what}: ` : ''}cannot allocate ${size.toLocaleString('en-US')} ${dtype} elements (${gb >= 0.01 ? gb.toFixed(2) : gb.toPrecision(2)} GB): ${why}`);
}

/** Allocates zero-filled storage of `size` elements for `dtype`; `what` names the op and shape in errors. */
export function allocStorage<D extends DType>(dtype: D, size: number, what?: string): StorageOf[D] {
  try {
    return allocZeroed(dtype, size);
  } catch (e) {
    if (e instanceof RangeError) allocError(dtype, size, what, e);
    throw e;
  }
}

function allocZeroed<D extends DType>(dtype: D, size: number): StorageOf[D] {
  switch (dtype) {
    case 'float32': return new Float32Array(size) as StorageOf[D];
    case 'float64': return new Float64Array(size) as StorageOf[D];
    case 'int32': return new Int32Array(size) as StorageOf[D];
    case 'bool': return new Uint8Array(size) as StorageOf[D];
  }
  throw new TypeError(`unknown dtype ${String(dtype)}`);
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };

// Node's Buffer.allocUnsafeSlow hands out a fresh, unpooled ArrayBuffer without zero-filling it;
// browsers have no such call and get zeroed memory.
const allocUnsafe = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer?.allocUnsafeSlow;

// Below this size zero-filling costs nothing worth a second allocation path.
const UNINIT_MIN_BYTES = 4096;

// TSGRAD_POISON_UNINIT=1 (set by `npm test`) fills "uninitialised" storage of every size with
// NaN (or a large sentinel for integers), so a kernel that reads an output it did not write
// fails a test instead of passing by luck on zeroed memory.
const poison = typeof process !== 'undefined' && process.env?.['TSGRAD_POISON_UNINIT'] === '1';
const POISON: Record<DType, number> = { float32: NaN, float64: NaN, int32: -0x7654321, bool: 0x5a };

/**
 * Allocates storage whose contents are undefined, for outputs a kernel overwrites
 * entirely: a large op output otherwise pays for a zero fill it never reads.
 */
export function allocUninitStorage<D extends DType>(dtype: D, size: number, what?: string): StorageOf[D] {
  if (poison) return allocStorage(dtype, size, what).fill(POISON[dtype]) as StorageOf[D];
  const bytes = size * BYTES[dtype];
  if (!allocUnsafe || bytes < UNINIT_MIN_BYTES) return allocStorage(dtype, size, what);
  let buf: ArrayBufferLike;
  try {
    buf = allocUnsafe(bytes).buffer;
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_OUT_OF_RANGE') allocError(dtype, size, what, e);
    throw e;
  }
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, size) as StorageOf[D];
    case 'float64': return new Float64Array(buf, 0, size) as StorageOf[D];
    case 'int32': return new Int32Array(buf, 0, size) as StorageOf[D];
    case 'bool': return new Uint8Array(buf, 0, size) as StorageOf[D];
  }
  throw new TypeError(`unknown dtype ${String(dtype)}`);
}

/** The dtype that a given typed array stores. */
export function dtypeOfStorage(s: Storage): DType {
  if (s instanceof Float32Array) return 'float32';
  if (s instanceof Float64Array) return 'float64';
  if (s instanceof Int32Array) return 'int32';
  return 'bool';
}

/** True for float32 and float64. */
export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}

/** PyTorch-style type promotion of two tensor dtypes. */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** Validates a user-given dtype name. */
export function checkDType(d: unknown, op: string): DType {
  if (d === 'float32' || d === 'float64' || d === 'int32' || d === 'bool') return d;
  throw new TypeError(`${op}: unknown dtype ${JSON.stringify(d)}; expected float32, float64, int32 or bool`);
}
