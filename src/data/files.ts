import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from './errors.js';

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Reads a file and gunzips it when it starts with the gzip magic bytes; errors name the file. */
export function readMaybeGzip(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new DataError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    throw new DataError(`${path}: bad gzip data (${(e as Error).message}); the file is corrupt or truncated, delete it and fetch it again`);
  }
}

/** True when `path` exists and is a directory. */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The first of `names` that exists as a file in `dir`, or null. */
export function findFile(dir: string, names: readonly string[]): string | null {
  for (const n of names) {
    const p = `${dir}/${n}`;
    if (existsSync(p)) return p;
  }
  return null;
}

