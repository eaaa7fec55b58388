import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

let tmpCounter = 0;

/** A temporary name beside `path` (same directory, so the final rename is atomic). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now()}-${tmpCounter++}`;
}

/**
 * Writes a file atomically: the bytes go to a temporary file beside `path`,
 * are flushed to disk, and the file is renamed over `path`, so a crash or an
 * error never leaves a half-written file there. Missing folders are an error
 * unless `makeDirs` asks for them to be created.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: { makeDirs?: boolean } = {}): void {
  if (opts.makeDirs) mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
}
