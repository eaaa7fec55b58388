/**
 * A restricted unpickler for PyTorch state dicts, in the spirit of torch.load(weights_only=True):
 * it understands the opcodes (protocols 2-4) a state dict uses and only a fixed set of globals
 * (ordered dicts, the tensor/parameter rebuild functions and typed storages). Any other global is
 * refused by name and nothing is ever executed: the "calls" below build plain data.
 */
import { TsgradError } from '../../core/errors.js';

/** A PyTorch file that cannot be read: names the file and the problem. */
export class TorchFormatError extends TsgradError {
  override name = 'TorchFormatError';
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict or OrderedDict (insertion order kept). */
export class PyDict {
  readonly entries = new Map<string | number, PyValue>();
}

/** An allowed global (module.name), the only kind of "object" the unpickler produces. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A reference to a storage record of the archive (data/<key>). */
export class StorageRef {
  constructor(readonly storageType: string, readonly key: string, readonly numel: number) {}
}

/** A tensor described by the pickle: a strided view into a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {}
}

/** The values a restricted pickle can hold. */
export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | StorageRef | TensorRef;

/** The storage classes a state dict may name, with what each holds. */
export const STORAGE_TYPES: Record<string, { bytes: number; kind: 'f32' | 'f64' | 'f16' | 'bf16' | 'i64' | 'i32' | 'u8' | 'bool' }> = {
  FloatStorage: { bytes: 4, kind: 'f32' },
  DoubleStorage: { bytes: 8, kind: 'f64' },
  HalfStorage: { bytes: 2, kind: 'f16' },
  BFloat16Storage: { bytes: 2, kind: 'bf16' },
  LongStorage: { bytes: 8, kind: 'i64' },
  IntStorage: { bytes: 4, kind: 'i32' },
  ByteStorage: { bytes: 1, kind: 'u8' },
  BoolStorage: { bytes: 1, kind: 'bool' },
};

const ALLOWED_CALLS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
]);

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

function isInt(v: PyValue): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function intList(v: PyValue, what: string, where: string): number[] {
  if (!(v instanceof PyTuple) || !v.items.every((x) => isInt(x) && x >= 0)) throw new TorchFormatError(`${where}: ${what} must be a tuple of non-negative integers`);
  return v.items as number[];
}

/** Calls an allowed global with its arguments, building plain data. */
function call(fn: PyValue, args: PyValue, where: string): PyValue {
  if (!(fn instanceof PyGlobal)) throw new TorchFormatError(`${where}: the pickle calls something that is not a global`);
  if (!(args instanceof PyTuple)) throw new TorchFormatError(`${where}: the arguments of ${fn.qualname} are not a tuple`);
  const a = args.items;
  switch (fn.qualname) {
    case 'collections.OrderedDict':
      if (a.length !== 0) throw new TorchFormatError(`${where}: collections.OrderedDict is only supported without arguments`);
      return new PyDict();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, size, stride] = a;
      if (a.length < 4 || !(storage instanceof StorageRef) || !isInt(offset!) || offset < 0) {
        throw new TorchFormatError(`${where}: _rebuild_tensor_v2 needs (storage, offset, size, stride, ...)`);
      }
      const sz = intList(size!, 'a tensor size', where);
      const st = intList(stride!, 'a tensor stride', where);
      if (sz.length !== st.length) throw new TorchFormatError(`${where}: a tensor has size ${JSON.stringify(sz)} but stride ${JSON.stringify(st)}`);
      return new TensorRef(storage, offset, sz, st);
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      if (!(a[0] instanceof TensorRef)) throw new TorchFormatError(`${where}: ${fn.name} needs a tensor`);
      return a[0];
    default:
      throw new TorchFormatError(`${where}: the pickle calls ${fn.qualname}, which is not allowed`);
  }
}

/** Checks a global against the allow-list; refuses anything else by name. */
function global(module: string, name: string, where: string): PyGlobal {
  const q = `${module}.${name}`;
  if (ALLOWED_CALLS.has(q) || (module === 'torch' && name in STORAGE_TYPES)) return new PyGlobal(module, name);
  if (module === 'torch' && name.endsWith('Storage')) {
    throw new TorchFormatError(`${where}: tensors of storage type torch.${name} are not supported (supported: ${Object.keys(STORAGE_TYPES).join(', ')})`);
  }
  throw new TorchFormatError(`${where}: the pickle names the global ${q}, which is not allowed (only state dicts of tensors can be read; nothing is executed)`);
}

/** Parses a restricted pickle (data.pkl of a torch.save archive); `where` names the file in errors. */
export function unpickle(bytes: Uint8Array, where: string): PyValue {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const need = (n: number): void => {
    if (p + n > bytes.length) throw new TorchFormatError(`${where}: the pickle is truncated (needs ${n} more bytes at offset ${p})`);
  };
  const u8 = (): number => (need(1), bytes[p++]!);
  const u32 = (): number => {
    need(4);
    const r = v.getUint32(p, true);
    p += 4;
    return r;
  };
  const text = (n: number): string => {
    need(n);
    let s: string;
    try {
      s = dec.decode(bytes.subarray(p, p + n));
    } catch {
      throw new TorchFormatError(`${where}: the pickle holds a string that is not valid UTF-8 (offset ${p})`);
    }
    p += n;
    return s;
  };
  const line = (): string => {
    const end = bytes.indexOf(10, p);
    if (end < 0) throw new TorchFormatError(`${where}: the pickle is truncated inside a GLOBAL`);
    const s = text(end - p);
    p = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]! + 1)) throw new TorchFormatError(`${where}: the pickle pops from an empty stack (offset ${p})`);
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    const t = stack[stack.length - 1];
    if (t === undefined || t === MARK) throw new TorchFormatError(`${where}: the pickle reads an empty stack (offset ${p})`);
    return t;
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw new TorchFormatError(`${where}: the pickle has no MARK to pop to (offset ${p})`);
    return stack.splice(m).slice(1) as PyValue[];
  };
  const setItems = (d: PyValue, items: PyValue[]): void => {
    if (!(d instanceof PyDict)) throw new TorchFormatError(`${where}: the pickle sets items on something that is not a dict`);
    if (items.length % 2) throw new TorchFormatError(`${where}: the pickle sets an odd number of dict items`);
    for (let i = 0; i < items.length; i += 2) {
      const k = items[i]!;
      if (typeof k !== 'string' && !isInt(k)) throw new TorchFormatError(`${where}: dict keys must be strings or integers`);
      d.entries.set(k, items[i + 1]!);
    }
  };
  const getMemo = (i: number): PyValue => {
    if (!memo.has(i)) throw new TorchFormatError(`${where}: the pickle refers to memo entry ${i}, which was never stored`);
    return memo.get(i)!;
  };
  for (;;) {
    const at = p;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new TorchFormatError(`${where}: unknown pickle protocol`);
        break;
      case 0x95: // FRAME (protocol 4): a length we do not need
        need(8);
        p += 8;
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) throw new TorchFormatError(`${where}: the pickle ends with ${stack.length} values on the stack, expected 1`);
        return stack[0] as PyValue;
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(v.getUint16(p, true));
        p += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(v.getInt32(p, true));
        p += 4;
        break;
      case 0x8a: { // LONG1
        const n = u8();
        need(n);
        let big = 0n;
        for (let i = n - 1; i >= 0; i--) big = (big << 8n) | BigInt(bytes[p + i]!);
        if (n > 0 && bytes[p + n - 1]! & 0x80) big -= 1n << BigInt(8 * n);
        p += n;
        stack.push(big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(v.getFloat64(p, false));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x42: { // BINBYTES
        const n = u32();
        need(n);
        stack.push(bytes.slice(p, p + n));
        p += n;
        break;
      }
      case 0x43: { // SHORT_BINBYTES
        const n = u8();
        need(n);
        stack.push(bytes.slice(p, p + n));
        p += n;
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: { // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: { // APPEND
        const x = pop();
        const l = top();
        if (!Array.isArray(l)) throw new TorchFormatError(`${where}: APPEND to something that is not a list`);
        l.push(x);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const l = top();
        if (!Array.isArray(l)) throw new TorchFormatError(`${where}: APPENDS to something that is not a list`);
        l.push(...items);
        break;
      }
      case 0x73: { // SETITEM
        const val = pop();
        const key = pop();
        setItems(top(), [key, val]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(getMemo(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(getMemo(u32()));
        break;
      case 0x63: { // GLOBAL
        const module = line();
        stack.push(global(module, line(), where));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new TorchFormatError(`${where}: STACK_GLOBAL needs two strings`);
        stack.push(global(module, name, where));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        stack.push(call(pop(), args, where));
        break;
      }
      case 0x81: { // NEWOBJ (cls.__new__(cls, *args)): only OrderedDict
        const args = pop();
        stack.push(call(pop(), args, where));
        break;
      }
      case 0x62: { // BUILD: only the __dict__ of an OrderedDict (its _metadata) or of a tensor, ignored
        pop();
        const obj = top();
        if (!(obj instanceof PyDict) && !(obj instanceof TensorRef)) throw new TorchFormatError(`${where}: BUILD on an object the reader does not support`);
        break;
      }
      case 0x51: { // BINPERSID: ('storage', StorageType, key, location, numel)
        const pid = pop();
        if (!(pid instanceof PyTuple) || pid.items.length < 5 || pid.items[0] !== 'storage') throw new TorchFormatError(`${where}: unsupported persistent id (expected a ('storage', type, key, location, numel) tuple)`);
        const [, type, key, , numel] = pid.items;
        if (!(type instanceof PyGlobal) || !(type.name in STORAGE_TYPES)) throw new TorchFormatError(`${where}: a storage has an unsupported type`);
        if (typeof key !== 'string' && !isInt(key!)) throw new TorchFormatError(`${where}: a storage key is not a string`);
        if (!isInt(numel!) || numel < 0) throw new TorchFormatError(`${where}: a storage size is not a non-negative integer`);
        stack.push(new StorageRef(type.name, String(key), numel));
        break;
      }
      default:
        throw new TorchFormatError(`${where}: unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at} (only what a state dict needs is read)`);
    }
  }
}
