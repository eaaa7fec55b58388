import { DataError } from './errors.js';

/** One member of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, with '/' separators (pax and GNU long names resolved). */
  name: string;
  type: 'file' | 'directory' | 'other';
  /** File contents (a view into the archive bytes); empty for directories. */
  data: Uint8Array;
}

const BLOCK = 512;
const text = new TextDecoder();

function str(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const end = s.indexOf(0);
  return text.decode(end < 0 ? s : s.subarray(0, end));
}

function octal(b: Uint8Array, off: number, len: number, file: string, field: string): number {
  if (b[off]! & 0x80) {
    // GNU base-256 for sizes over 8 GiB; a CIFAR member never needs it.
    throw new DataError(`${file}: tar ${field} in base-256 is not supported`);
  }
  const s = str(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new DataError(`${file}: bad tar header: ${field} ${JSON.stringify(s)} is not an octal number`);
  return parseInt(s, 8);
}

/** Parses pax extended-header records ("LEN key=value\n"), returning the path if one is given. */
function paxPath(data: Uint8Array): string | null {
  const s = text.decode(data);
  let i = 0;
  let path: string | null = null;
  while (i < s.length) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) break;
    const len = parseInt(s.slice(i, sp), 10);
    if (!(len > 0)) break;
    const rec = s.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (rec.slice(0, eq) === 'path') path = rec.slice(eq + 1);
    i += len;
  }
  return path;
}

/**
 * Reads an uncompressed tar archive (POSIX ustar, with pax and GNU long-name extensions) into its
 * members. Header checksums and member sizes are checked; `file` names the archive in errors.
 */
export function readTar(bytes: Uint8Array, file: string): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  let longName: string | null = null;
  while (true) {
    if (pos + BLOCK > bytes.length) throw new DataError(`${file}: truncated tar archive: no end-of-archive blocks after ${out.length} members (at byte ${pos} of ${bytes.length})`);
    const h = bytes.subarray(pos, pos + BLOCK);
    if (h.every((v) => v === 0)) break;
    const sum = octal(h, 148, 8, file, 'checksum');
    let actual = 0;
    for (let i = 0; i < BLOCK; i++) actual += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== actual) throw new DataError(`${file}: bad tar header checksum at byte ${pos} (stored ${sum}, computed ${actual}); the archive is corrupt or not a tar file`);
    const size = octal(h, 124, 12, file, 'size');
    const flag = String.fromCharCode(h[156]!);
    const prefix = str(h, 257, 6).startsWith('ustar') ? str(h, 345, 155) : '';
    let name = prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100);
    const start = pos + BLOCK;
    if (start + size > bytes.length) throw new DataError(`${file}: truncated tar archive: member ${JSON.stringify(name)} needs ${size} bytes, only ${bytes.length - start} remain`);
    const data = bytes.subarray(start, start + size);
    pos = start + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (flag === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (flag === 'g') continue;
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    out.push({ name: name.replace(/^\.\//, '').replace(/\/+$/, ''), type, data: type === 'file' ? data : new Uint8Array(0) });
  }
  return out;
}
