/**
 * The torch.save zip format (PyTorch >= 1.6), in memory: an archive `<name>/` holding `data.pkl`
 * (the pickled object, storages as persistent ids), `data/<key>` (each storage's raw little-endian
 * bytes), `byteorder` and `version`. No Node APIs here, so it bundles for browsers; see file.ts for paths.
 */
import type { DType, Storage } from '../../core/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { readZip, writeZip, ZipError, type ZipEntry } from './zip.js';
import { PyDict, PyTuple, STORAGE_TYPES, StorageRef, TensorRef, TorchFormatError, unpickle, type PyValue } from './unpickle.js';
import { pickleStateDict, type PickledTensor } from './pickle.js';

export { TorchFormatError };

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

interface Decoded {
  dtype: DType;
  data: Storage;
}

/** Decodes one storage record into tsgrad's dtypes (half/bfloat16 -> float32, int64/uint8 -> int32). */
function decodeStorage(ref: StorageRef, raw: Uint8Array, where: string): Decoded {
  const spec = STORAGE_TYPES[ref.storageType];
  if (!spec) throw new TorchFormatError(`${where}: storage ${ref.key} has unknown type ${ref.storageType}`);
  if (raw.length < ref.numel * spec.bytes) {
    throw new TorchFormatError(`${where}: storage data/${ref.key} holds ${raw.length} bytes, but its ${ref.numel} ${ref.storageType} elements need ${ref.numel * spec.bytes}`);
  }
  const n = ref.numel;
  const buf = raw.slice(0, n * spec.bytes).buffer; // an aligned copy
  switch (spec.kind) {
    case 'f32':
      return { dtype: 'float32', data: new Float32Array(buf) };
    case 'f64':
      return { dtype: 'float64', data: new Float64Array(buf) };
    case 'f16':
      return { dtype: 'float32', data: Float32Array.from(new Uint16Array(buf), halfToFloat) };
    case 'bf16': {
      const out = new Uint32Array(n);
      const src = new Uint16Array(buf);
      for (let i = 0; i < n; i++) out[i] = src[i]! << 16;
      return { dtype: 'float32', data: new Float32Array(out.buffer) };
    }
    case 'i32':
      return { dtype: 'int32', data: new Int32Array(buf) };
    case 'u8':
      return { dtype: 'int32', data: Int32Array.from(new Uint8Array(buf)) };
    case 'bool':
      return { dtype: 'bool', data: new Uint8Array(buf).map((x) => (x ? 1 : 0)) };
    case 'i64': {
      const src = new BigInt64Array(buf);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        if (x > 2147483647n || x < -2147483648n) throw new TorchFormatError(`${where}: storage data/${ref.key} (int64) holds ${x}, outside the int32 range tsgrad stores integers in`);
        out[i] = Number(x);
      }
      return { dtype: 'int32', data: out };
    }
  }
}

/** Copies a strided view of a storage into a fresh contiguous tensor, after checking its bounds. */
function materialize(t: TensorRef, st: Decoded, name: string, where: string): Tensor {
  const { size, stride, offset } = t;
  let count = 1;
  let last = offset;
  for (let d = 0; d < size.length; d++) {
    count *= size[d]!;
    last += (size[d]! - 1) * stride[d]!;
  }
  if (count > 2 ** 28) throw new TorchFormatError(`${where}: tensor "${name}" has size ${JSON.stringify(size)}, more elements than tsgrad reads (2^28)`);
  if (count > 0 && last >= st.data.length) {
    throw new TorchFormatError(`${where}: tensor "${name}" (size ${JSON.stringify(size)}, stride ${JSON.stringify(stride)}, offset ${offset}) reaches element ${last}, but its storage data/${t.storage.key} holds only ${st.data.length}: the storage is shorter than the tensor`);
  }
  const out = new (st.data.constructor as new (n: number) => Storage)(count);
  if (count > 0) {
    const nd = size.length;
    const idx = new Array<number>(nd).fill(0);
    let src = offset;
    for (let i = 0; i < count; i++) {
      out[i] = st.data[src]!;
      for (let d = nd - 1; d >= 0; d--) {
        if (++idx[d]! < size[d]!) {
          src += stride[d]!;
          break;
        }
        src -= (size[d]! - 1) * stride[d]!;
        idx[d] = 0;
      }
    }
  }
  return Tensor.fromStorage(out, st.dtype, size);
}

/** Walks nested dicts, flattening keys with dots; tensors are collected, other leaves skipped. */
function collect(v: PyValue, prefix: string, out: [string, TensorRef][], where: string, depth = 0): void {
  if (depth > 64) throw new TorchFormatError(`${where}: dicts nested more than 64 deep`);
  if (v instanceof TensorRef) out.push([prefix, v]);
  else if (v instanceof PyDict) for (const [k, x] of v.entries) collect(x, prefix ? `${prefix}.${k}` : String(k), out, where, depth + 1);
  else if (Array.isArray(v) || v instanceof PyTuple) {
    const items = Array.isArray(v) ? v : v.items;
    items.forEach((x, i) => collect(x, prefix ? `${prefix}.${i}` : String(i), out, where, depth + 1));
  }
}

/**
 * Reads the bytes of a torch.save file (zip format) holding a state dict, or nested dicts of
 * tensors, into a Map of dotted names to tensors; `source` names the file in errors.
 */
export function parseTorch(bytes: Uint8Array, source = 'torch buffer'): Map<string, Tensor> {
  const where = `loadTorch: ${source}`;
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! <= 5) {
    throw new TorchFormatError(`${where} is a legacy (pre-1.6, non-zip) torch.save file; re-save it with a newer PyTorch (torch.save(torch.load(f), f))`);
  }
  let entries: ZipEntry[];
  try {
    entries = readZip(bytes, where);
  } catch (e) {
    if (e instanceof ZipError) throw new TorchFormatError(e.message);
    throw e;
  }
  const pkl = entries.find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new TorchFormatError(`${where}: the archive has no data.pkl (not a torch.save file?)`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const order = byName.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(order).trim() !== 'little') throw new TorchFormatError(`${where}: big-endian files are not supported`);
  const root = unpickle(pkl.data, where);
  const refs: [string, TensorRef][] = [];
  collect(root, '', refs, where);
  const storages = new Map<string, Decoded>();
  const out = new Map<string, Tensor>();
  for (const [name, t] of refs) {
    let st = storages.get(t.storage.key);
    if (!st) {
      const raw = byName.get(`${prefix}data/${t.storage.key}`);
      if (!raw) throw new TorchFormatError(`${where}: tensor "${name}" refers to storage data/${t.storage.key}, which the archive lacks`);
      st = decodeStorage(t.storage, raw, where);
      storages.set(t.storage.key, st);
    }
    out.set(name, materialize(t, st, name, where));
  }
  return out;
}

const SAVE_TYPES: Record<DType, string> = { float32: 'FloatStorage', float64: 'DoubleStorage', int32: 'IntStorage', bool: 'BoolStorage' };

/** Encodes named tensors as a torch.save zip archive (an OrderedDict state dict) that torch.load reads. */
export function serializeTorch(stateDict: Map<string, Tensor> | Record<string, Tensor>, archiveName = 'archive'): Uint8Array {
  const items = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
  const tensors: PickledTensor[] = [];
  const entries: ZipEntry[] = [];
  items.forEach(([name, t], i) => {
    if (!(t instanceof Tensor)) throw new TorchFormatError(`saveTorch: value of "${name}" is not a Tensor`);
    const data = t.toTypedArray();
    tensors.push({ name, storageType: SAVE_TYPES[t.dtype], key: String(i), numel: t.numel(), shape: [...t.shape] });
    entries.push({ name: `${archiveName}/data/${i}`, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  });
  return writeZip([
    { name: `${archiveName}/data.pkl`, data: pickleStateDict(tensors) },
    { name: `${archiveName}/byteorder`, data: new TextEncoder().encode('little') },
    ...entries,
    { name: `${archiveName}/version`, data: new TextEncoder().encode('3\n') },
  ]);
}
