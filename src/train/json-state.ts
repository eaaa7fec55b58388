import type { DType } from '../core/dtype.js';
import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * Lossless JSON for state objects (optimizer state, trainer state) that mix plain values, Maps and
 * tensors. Tensors become {"$tensor": {dtype, shape, data}}, Maps {"$map": [[k, v], ...]}, and
 * non-finite numbers {"$number": "NaN" | "Infinity" | "-Infinity"}. Finite doubles print exactly in
 * JSON, and float32 values survive the round trip through a double, so a resumed run continues
 * bit for bit.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/**
 * Encodes a state value (plain data, Maps and Tensors) as JSON-safe data. With `sink`, tensors are
 * not written out: each goes into the sink under a unique key and the JSON holds {"$tensor": key}
 * (checkpoints store them in binary that way; see checkpoint.ts).
 */
export function encodeState(v: unknown, path = 'state', sink?: Map<string, Tensor>): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Tensor && sink) {
    let key = path;
    for (let i = 1; sink.has(key); i++) key = `${path}#${i}`;
    sink.set(key, v);
    return { $tensor: key };
  }
  if (v instanceof Tensor) {
    const data = Array.from(v.toTypedArray() as ArrayLike<number | bigint>, (x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : Number(x)));
    return { $tensor: { dtype: v.dtype, shape: [...v.shape], data } };
  }
  if (v instanceof Map) return { $map: [...v.entries()].map(([k, x], i) => [encodeState(k, `${path}.key${i}`, sink), encodeState(x, `${path}[${String(k)}]`, sink)]) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map((x, i) => encodeState(x, `${path}[${i}]`, sink));
  if (typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = encodeState(x, `${path}.${k}`, sink);
    return out;
  }
  throw new TypeError(`encodeState: ${path} is a ${typeof v}, which a checkpoint cannot hold`);
}

/**
 * Decodes data written by encodeState back into Maps, Tensors and non-finite numbers; `tensors`
 * resolves {"$tensor": key} references (a missing key is an error naming it).
 */
export function decodeState(v: JsonValue, tensors?: ReadonlyMap<string, Tensor>): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decodeState(x, tensors));
  if ('$number' in v && Object.keys(v).length === 1) return Number(v['$number']);
  if ('$map' in v && Object.keys(v).length === 1) {
    if (!Array.isArray(v['$map'])) throw new TypeError('decodeState: $map must be an array of [key, value] pairs');
    return new Map((v['$map'] as JsonValue[][]).map((e) => {
      if (!Array.isArray(e) || e.length !== 2) throw new TypeError('decodeState: $map must be an array of [key, value] pairs');
      return [decodeState(e[0]!, tensors), decodeState(e[1]!, tensors)];
    }));
  }
  if ('$tensor' in v && Object.keys(v).length === 1 && typeof v['$tensor'] === 'string') {
    const t = tensors?.get(v['$tensor']);
    if (!t) throw new TypeError(`decodeState: tensor "${v['$tensor']}" is referenced but not stored`);
    return t;
  }
  if ('$tensor' in v && Object.keys(v).length === 1) {
    const t = v['$tensor'] as { dtype: DType; shape: number[]; data: (number | string)[] };
    const data = t.data.map(Number);
    return tensor(data, { dtype: t.dtype, shape: t.shape });
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: decodeState(x, tensors), enumerable: true, writable: true, configurable: true });
  return out;
}
