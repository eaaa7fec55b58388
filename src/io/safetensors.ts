/**
 * The safetensors format (https://github.com/huggingface/safetensors):
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   JSON header: {"__metadata__": {str: str}?, name: {dtype, shape, data_offsets: [begin, end]}, ...}
 *             padded with spaces to a multiple of 8
 *   rest      the tensors' raw little-endian bytes, row-major; offsets count from the end of the header
 *
 * We write F32, F64, I32 and BOOL, in the order given, and read those plus
 * I64, I16, I8, U8 (as int32) and F16, BF16 (as float32). Every inconsistency
 * of a file is a SafetensorsError naming the file and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../core/atomic-write.js';
import { endianness } from 'node:os';
import type { DType } from '../core/dtype.js';
import { TsgradError } from '../core/errors.js';
import { numel } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A malformed, truncated or unsupported safetensors file. */
export class SafetensorsError extends TsgradError {
  override name = 'SafetensorsError';
}

/** String-to-string metadata stored under the header's __metadata__ key. */
export type SafetensorsMetadata = Record<string, string>;

/** What a safetensors file holds: named tensors (in file order) and the metadata. */
export interface SafetensorsContent {
  tensors: Map<string, Tensor>;
  metadata: SafetensorsMetadata;
}

const WRITE_CODES: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** Bytes per element and how to decode each dtype code of the format. */
const READ_CODES: Record<string, { size: number; dtype: DType }> = {
  F32: { size: 4, dtype: 'float32' },
  F64: { size: 8, dtype: 'float64' },
  I32: { size: 4, dtype: 'int32' },
  BOOL: { size: 1, dtype: 'bool' },
  I64: { size: 8, dtype: 'int32' },
  I16: { size: 2, dtype: 'int32' },
  I8: { size: 1, dtype: 'int32' },
  U8: { size: 1, dtype: 'int32' },
  F16: { size: 2, dtype: 'float32' },
  BF16: { size: 2, dtype: 'float32' },
};

/** Largest dimension we accept: anything larger cannot be a tensor held in memory. */
const MAX_DIM = 2 ** 32;

/** Largest header we accept (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

function checkLittleEndian(): void {
  if (endianness() !== 'LE') throw new SafetensorsError('safetensors: big-endian machines are not supported');
}

function toEntries(tensors: Map<string, Tensor> | Record<string, Tensor>): [string, Tensor][] {
  return tensors instanceof Map ? [...tensors] : Object.entries(tensors);
}

/** Encodes named tensors (and optional string metadata) as safetensors bytes. */
export function serializeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: SafetensorsMetadata): Uint8Array {
  checkLittleEndian();
  // No prototype: a tensor named "__proto__" must become a key, not replace the prototype.
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`safetensors: metadata value of "${k}" must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of toEntries(tensors)) {
    if (name === '__metadata__') throw new SafetensorsError('safetensors: "__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof Tensor)) throw new SafetensorsError(`safetensors: value of "${name}" is not a Tensor`);
    const data = t.toTypedArray();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: WRITE_CODES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8;
  json += ' '.repeat(pad);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let pos = 8 + head.byteLength;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function decode(code: string, bytes: Uint8Array, n: number, where: string, name: string): Tensor['data'] {
  const buf = new Uint8Array(bytes).buffer; // an aligned copy (Buffer.slice would share memory)
  switch (code) {
    case 'F32':
      return new Float32Array(buf);
    case 'F64':
      return new Float64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'BOOL':
      return new Uint8Array(buf).map((v) => (v ? 1 : 0));
    case 'U8':
      return Int32Array.from(new Uint8Array(buf));
    case 'I8':
      return Int32Array.from(new Int8Array(buf));
    case 'I16':
      return Int32Array.from(new Int16Array(buf));
    case 'I64': {
      const src = new BigInt64Array(buf);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        if (v > 2147483647n || v < -2147483648n) throw new SafetensorsError(`${where}: tensor "${name}" (I64) holds ${v}, outside the int32 range tsgrad stores integers in`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'F16':
      return Float32Array.from(new Uint16Array(buf), halfToFloat);
    case 'BF16':
      return Float32Array.from(new Uint16Array(buf), (h) => new Float32Array(new Uint32Array([h << 16]).buffer)[0]!);
    default:
      throw new SafetensorsError(`${where}: unsupported dtype ${code}`);
  }
}

/** Decodes safetensors bytes; `source` names the file in errors. */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors buffer'): SafetensorsContent {
  checkLittleEndian();
  const where = `safetensors: ${source}`;
  if (bytes.byteLength < 8) throw new SafetensorsError(`${where} is truncated: ${bytes.byteLength} bytes, but the header length alone takes 8`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) throw new SafetensorsError(`${where} is corrupt: header length ${n64} exceeds the ${MAX_HEADER}-byte limit (not a safetensors file?)`);
  const n = Number(n64);
  if (8 + n > bytes.byteLength) throw new SafetensorsError(`${where} is truncated: the header needs ${n} bytes but only ${bytes.byteLength - 8} follow the length`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    throw new SafetensorsError(`${where} is corrupt: the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new SafetensorsError(`${where} is corrupt: the header is not a JSON object`);
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata: SafetensorsMetadata = {};
  const entries: { name: string; code: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new SafetensorsError(`${where} is corrupt: __metadata__ must be an object of strings, got ${Array.isArray(info) ? 'an array' : info === null ? 'null' : typeof info}`);
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw new SafetensorsError(`${where} is corrupt: __metadata__ value of "${k}" is not a string`);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true }); // "__proto__" too
      }
      continue;
    }
    const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.dtype !== 'string' || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) {
      throw new SafetensorsError(`${where} is corrupt: entry "${name}" needs dtype, shape and data_offsets`);
    }
    const code = e.dtype;
    const spec = READ_CODES[code];
    if (!spec) throw new SafetensorsError(`${where}: tensor "${name}" has dtype ${code}, which tsgrad cannot read (supported: ${Object.keys(READ_CODES).join(', ')})`);
    const shape = e.shape as unknown[];
    if (!shape.every((s) => Number.isInteger(s) && (s as number) >= 0 && (s as number) <= MAX_DIM)) {
      throw new SafetensorsError(`${where} is corrupt: tensor "${name}" has shape ${JSON.stringify(shape)} (expected integers from 0 to ${MAX_DIM})`);
    }
    if (shape.reduce((a: number, b) => a * (b as number), 1) > Number.MAX_SAFE_INTEGER) throw new SafetensorsError(`${where} is corrupt: tensor "${name}" has shape ${JSON.stringify(shape)}, too many elements`);
    const [begin, end] = e.data_offsets as unknown[];
    if (e.data_offsets.length !== 2 || !Number.isInteger(begin) || !Number.isInteger(end) || (begin as number) < 0 || (end as number) < (begin as number)) {
      throw new SafetensorsError(`${where} is corrupt: tensor "${name}" has data_offsets ${JSON.stringify(e.data_offsets)}`);
    }
    const want = numel(shape as number[]) * spec.size;
    if ((end as number) - (begin as number) !== want) {
      throw new SafetensorsError(`${where} is corrupt: tensor "${name}" (${code} ${JSON.stringify(shape)}) needs ${want} bytes but its data_offsets span ${(end as number) - (begin as number)}`);
    }
    if ((end as number) > dataLen) {
      throw new SafetensorsError(`${where} is truncated: tensor "${name}" ends at byte ${end} of the data section, which holds only ${dataLen} bytes`);
    }
    entries.push({ name, code, shape: shape as number[], begin: begin as number, end: end as number });
  }
  // The format requires the tensors to tile the data section with no holes or overlaps.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin !== pos) throw new SafetensorsError(`${where} is corrupt: tensor "${e.name}" starts at byte ${e.begin} of the data section, expected ${pos} (holes or overlaps)`);
    pos = e.end;
  }
  if (pos !== dataLen) throw new SafetensorsError(`${where} is corrupt: the tensors cover ${pos} bytes but the data section holds ${dataLen}`);
  const tensors = new Map<string, Tensor>();
  for (const e of sorted) {
    const dtype = READ_CODES[e.code]!.dtype;
    const data = decode(e.code, bytes.subarray(dataStart + e.begin, dataStart + e.end), numel(e.shape), where, e.name);
    tensors.set(e.name, Tensor.fromStorage(data, dtype, e.shape));
  }
  return { tensors, metadata };
}

/** Saves named tensors to a safetensors file, atomically. */
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: SafetensorsMetadata): void {
  writeFileAtomic(path, serializeSafetensors(tensors, metadata));
}

/** Reads a safetensors file: tensors in file order and metadata. */
export function loadSafetensors(path: string): SafetensorsContent {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(`safetensors: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseSafetensors(bytes, path);
}
