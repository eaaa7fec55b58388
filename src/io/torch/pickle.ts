/**
 * Writes the pickle (protocol 2) of a state dict the way torch.save lays it out: an OrderedDict of
 * names to torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()), each
 * storage a persistent id ('storage', torch.<Type>Storage, key, 'cpu', numel).
 */

/** One tensor to pickle: its name, storage class, storage key, element count and shape. */
export interface PickledTensor {
  name: string;
  storageType: string;
  key: string;
  numel: number;
  shape: number[];
}

class Writer {
  private chunks: number[] = [];
  private enc = new TextEncoder();

  op(...codes: number[]): this {
    this.chunks.push(...codes);
    return this;
  }

  ascii(s: string): this {
    for (let i = 0; i < s.length; i++) this.chunks.push(s.charCodeAt(i));
    return this;
  }

  global(module: string, name: string): this {
    return this.op(0x63).ascii(`${module}\n${name}\n`);
  }

  str(s: string): this {
    const b = this.enc.encode(s);
    const n = b.length;
    this.op(0x58, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    for (const x of b) this.chunks.push(x);
    return this;
  }

  int(v: number): this {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new RangeError(`pickle: integer ${v} out of the 32-bit range`);
    if (v >= 0 && v < 256) return this.op(0x4b, v);
    if (v >= 0 && v < 65536) return this.op(0x4d, v & 0xff, v >>> 8);
    return this.op(0x4a, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }

  intTuple(vs: readonly number[]): this {
    this.op(0x28);
    for (const v of vs) this.int(v);
    return this.op(0x74);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

/** Pickles a state dict of storage-backed tensors (contiguous, offset 0). */
export function pickleStateDict(tensors: readonly PickledTensor[]): Uint8Array {
  const w = new Writer();
  w.op(0x80, 2).global('collections', 'OrderedDict').op(0x29, 0x52);
  if (tensors.length) w.op(0x28);
  for (const t of tensors) {
    const stride = new Array<number>(t.shape.length);
    let s = 1;
    for (let d = t.shape.length - 1; d >= 0; d--) {
      stride[d] = s;
      s *= t.shape[d]!;
    }
    w.str(t.name).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    w.op(0x28).str('storage').global('torch', t.storageType).str(t.key).str('cpu').int(t.numel).op(0x74, 0x51);
    w.int(0).intTuple(t.shape).intTuple(stride).op(0x89);
    w.global('collections', 'OrderedDict').op(0x29, 0x52);
    w.op(0x74, 0x52);
  }
  if (tensors.length) w.op(0x75);
  return w.op(0x2e).bytes();
}
