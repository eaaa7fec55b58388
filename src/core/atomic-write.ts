import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TsgradError } from './errors.js';

let tmpCounter = 0;

/** A folder or file that cannot be written: the message names the path and the reason. */
export class OutputPathError extends TsgradError {
  override name = 'OutputPathError';
}

/** A temporary name beside `path` (same directory, so the final rename is atomic). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now()}-${tmpCounter++}`;
}

/** True for names made by tempPathFor. */
export function isTempName(name: string): boolean {
  return /\.tmp-\d+-\d+-\d+$/.test(name);
}

/**
 * Removes the temporary files (tempPathFor names) a killed process left in `dir`, except those of
 * processes still alive; returns the names removed. A missing folder removes nothing.
 */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (!isTempName(n)) continue;
    const pid = Number(/\.tmp-(\d+)-/.exec(n)![1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    rmSync(join(dir, n), { force: true, recursive: true });
    removed.push(n);
  }
  return removed;
}

/** Whether a process with this id exists (signal 0 probes without sending anything). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates `dir` and its missing parents, one level at a time. Node's recursive mkdirSync spins
 * forever on paths such as /proc/x; this fails at once with an OutputPathError naming the folder
 * that could not be made and why.
 */
export function ensureDir(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new OutputPathError(`cannot create folder ${dir}: part of the path above ${p} is a file, not a folder`);
      if (code !== 'ENOENT') throw new OutputPathError(`cannot use ${p} as a folder: ${code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message)}`);
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new OutputPathError(`cannot create folder ${dir}: ${p} is a file, not a folder`);
    break;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOENT' ? 'the parent folder does not accept new folders' : (code ?? (e as Error).message);
      throw new OutputPathError(`cannot create folder ${m}: ${why}`);
    }
  }
}

/** Flushes a folder's entry list (so a rename inside it survives a power cut); best effort. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic there.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Writes a file atomically: the bytes go to a temporary file beside `path`,
 * are flushed to disk, and the file is renamed over `path`, so a crash or an
 * error never leaves a half-written file there. Missing folders are an error
 * unless `makeDirs` asks for them to be created. Failures are OutputPathErrors
 * naming `path` (not the temporary file) and the reason.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: { makeDirs?: boolean } = {}): void {
  if (opts.makeDirs) ensureDir(dirname(path));
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
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') {
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? `folder ${dirname(path)} does not exist` : code === 'ENOTDIR' ? `${dirname(path)} is not a folder` : code === 'ENOSPC' ? 'no space left on device' : code === 'EROFS' ? 'read-only file system' : code;
      throw new OutputPathError(`cannot write ${path}: ${why}`);
    }
    throw e;
  }
  fsyncDir(dirname(path));
}
