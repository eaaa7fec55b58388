/**
 * A small reader and writer for the uncompressed ("stored") zip archives that torch.save writes.
 * Works on Uint8Array only (no Node Buffer) so it bundles for browsers. Reads zip64 end records
 * (PyTorch writes them for large archives); refuses compressed entries, multi-disk archives and
 * anything inconsistent, with a ZipError saying where.
 */
import { TsgradError } from '../../core/errors.js';

/** A malformed, truncated or unsupported zip archive. */
export class ZipError extends TsgradError {
  override name = 'ZipError';
}

/** One stored entry of an archive: its name and a view of its bytes. */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (the zip polynomial) of bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(v: DataView, at: number, where: string): number {
  const n = v.getBigUint64(at, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${where}: a 64-bit size or offset (${n}) is too large`);
  return Number(n);
}

/** Lists the entries of a stored (uncompressed) zip archive; `where` names the file in errors. */
export function readZip(bytes: Uint8Array, where: string, verifyCrc = true): ZipEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = len - 22; i >= Math.max(0, len - 22 - 65535); i--) {
    if (v.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError(`${where} is not a zip archive or is truncated: no end-of-central-directory record (torch.save files from PyTorch >= 1.6 are zip archives)`);
  let count = v.getUint16(eocd + 10, true);
  let cdSize = v.getUint32(eocd + 12, true);
  let cdOffset = v.getUint32(eocd + 16, true);
  if (v.getUint16(eocd + 4, true) !== 0 || v.getUint16(eocd + 6, true) !== 0) throw new ZipError(`${where}: multi-disk zip archives are not supported`);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || v.getUint32(loc, true) !== EOCD64_LOCATOR) throw new ZipError(`${where} is corrupt: zip64 sizes without a zip64 locator`);
    const rec = u64(v, loc + 8, where);
    if (rec + 56 > len || v.getUint32(rec, true) !== EOCD64) throw new ZipError(`${where} is corrupt: the zip64 end record is missing or out of range`);
    count = u64(v, rec + 32, where);
    cdSize = u64(v, rec + 40, where);
    cdOffset = u64(v, rec + 48, where);
  }
  if (cdOffset + cdSize > len) throw new ZipError(`${where} is truncated: the central directory (${cdSize} bytes at ${cdOffset}) runs past the end of the ${len}-byte file`);
  const entries: ZipEntry[] = [];
  const dec = new TextDecoder('utf-8', { fatal: false });
  let p = cdOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > len || v.getUint32(p, true) !== CENTRAL) throw new ZipError(`${where} is corrupt: central directory entry ${e} of ${count} is missing or damaged`);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    let csize = v.getUint32(p + 20, true);
    let usize = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let local = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > len) throw new ZipError(`${where} is truncated inside the central directory`);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field (id 1): the 64-bit values replace those set to 0xffffffff, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = v.getUint16(x, true);
      const size = v.getUint16(x + 2, true);
      if (x + 4 + size > xEnd) throw new ZipError(`${where} is corrupt: an extra field of "${name}" overruns its entry`);
      if (id === 1) {
        let q = x + 4;
        const take = (): number => {
          if (q + 8 > x + 4 + size) throw new ZipError(`${where} is corrupt: the zip64 field of "${name}" is too short`);
          const n = u64(v, q, where);
          q += 8;
          return n;
        };
        if (usize === 0xffffffff) usize = take();
        if (csize === 0xffffffff) csize = take();
        if (local === 0xffffffff) local = take();
      }
      x += 4 + size;
    }
    p = xEnd + commentLen;
    if (method !== 0) throw new ZipError(`${where}: entry "${name}" is compressed (method ${method}); only stored entries (what torch.save writes) are supported`);
    if (csize !== usize) throw new ZipError(`${where} is corrupt: stored entry "${name}" has compressed size ${csize} but size ${usize}`);
    if (local + 30 > len || v.getUint32(local, true) !== LOCAL) throw new ZipError(`${where} is corrupt or truncated: the local header of "${name}" (at ${local}) is missing`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + usize > len) throw new ZipError(`${where} is truncated: entry "${name}" needs ${usize} bytes at ${start}, the file has ${len}`);
    const data = bytes.subarray(start, start + usize);
    if (verifyCrc && crc32(data) !== crc) throw new ZipError(`${where} is corrupt: entry "${name}" fails its CRC-32 check`);
    entries.push({ name, data });
  }
  return entries;
}

/** Writes stored (uncompressed) entries as a zip archive, each entry's data aligned to `align` bytes. */
export function writeZip(entries: readonly ZipEntry[], align = 64): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const crc = crc32(e.data);
    const head = 30 + name.length;
    // Pad with an extra field so that the data starts on an aligned offset (readers may mmap it).
    let pad = (align - ((offset + head + 4) % align)) % align;
    const extraLen = 4 + pad;
    pad = extraLen - 4;
    const lh = new Uint8Array(head + extraLen);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, extraLen, true);
    lh.set(name, 30);
    lv.setUint16(head, 0x4654, true); // private extra-field id used only for padding
    lv.setUint16(head + 2, pad, true);
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    ch.set(name, 46);
    if (offset + lh.length + e.data.length > 0xffffffff) throw new ZipError('writeZip: archives over 4 GiB are not supported');
    parts.push(lh, e.data);
    central.push(ch);
    offset += lh.length + e.data.length;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const c of [...parts, ...central, end]) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}
