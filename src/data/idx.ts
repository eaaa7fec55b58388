import { DataError } from './errors.js';

/** A parsed IDX file of unsigned bytes: its dimensions and the data bytes (a view, no copy). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses an IDX file (LeCun's format: magic 0x0000 08 NDIM, NDIM big-endian uint32 sizes, then the
 * bytes). Only the unsigned-byte type (0x08) is accepted, which is what MNIST and Fashion-MNIST use.
 * `expectDims` is the expected rank; `file` names the file in errors.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectDims: number): IdxArray {
  const expectMagic = 0x800 + expectDims;
  const hex = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
  if (bytes.length < 4) throw new DataError(`${file}: truncated IDX file: ${bytes.length} bytes, expected at least a 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectMagic) {
    throw new DataError(`${file}: bad magic number ${hex(magic)}, expected ${hex(expectMagic)} (IDX unsigned bytes, ${expectDims} dims); is this the right file?`);
  }
  const header = 4 + 4 * expectDims;
  if (bytes.length < header) throw new DataError(`${file}: truncated IDX header: ${bytes.length} bytes, expected ${header}`);
  const dims: number[] = [];
  for (let i = 0; i < expectDims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const want = header + count;
  if (bytes.length !== want) {
    const what = bytes.length < want ? 'truncated' : 'too long';
    throw new DataError(`${file}: ${what}: the header says ${dims.join('x')} = ${count} values, so ${want} bytes, but the file has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(header) };
}
