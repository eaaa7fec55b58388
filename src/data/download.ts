import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataError } from './errors.js';
import { tempPathFor } from '../core/atomic-write.js';

/** Options of downloadFile. */
export interface DownloadOptions {
  /** Abort when the server has not answered (response headers) within this long (ms); default 10 s. */
  connectTimeoutMs?: number;
  /** Abort when no bytes arrive for this long (ms) once the download runs; default 30 s. */
  idleTimeoutMs?: number;
}

/**
 * Downloads `url` to `dest`, streaming into a temporary file beside it, checking the md5 of the
 * bytes, then renaming. On any failure (HTTP error, stall, checksum mismatch) the temporary file is
 * removed and a DataError names the URL and what went wrong.
 */
export async function downloadFile(url: string, dest: string, md5: string, opts: DownloadOptions = {}): Promise<void> {
  const idle = opts.idleTimeoutMs ?? 30_000;
  const connect = opts.connectTimeoutMs ?? 10_000;
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = tempPathFor(dest);
  const ctrl = new AbortController();
  // A short first deadline so an offline machine gives up quickly; then a per-chunk idle deadline.
  let timer = setTimeout(() => ctrl.abort(), connect);
  const poke = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => ctrl.abort(), idle);
  };
  try {
    let res: Response;
    try {
      res = await fetch(url, { signal: ctrl.signal });
    } catch (e) {
      throw new DataError(`download ${url} failed: ${ctrl.signal.aborted ? `no answer within ${connect} ms` : describe(e)}`);
    }
    poke();
    if (!res.ok || !res.body) throw new DataError(`download ${url} failed: HTTP ${res.status} ${res.statusText}`);
    const hash = createHash('md5');
    const fh = await open(tmp, 'w');
    let bytes = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        poke();
        hash.update(chunk);
        bytes += chunk.length;
        await fh.write(chunk);
      }
    } catch (e) {
      throw new DataError(`download ${url} failed after ${bytes} bytes: ${ctrl.signal.aborted ? `stalled for ${idle} ms` : describe(e)}`);
    } finally {
      await fh.close();
    }
    const got = hash.digest('hex');
    if (got !== md5) throw new DataError(`download ${url}: checksum mismatch: md5 of the ${bytes} bytes received is ${got}, expected ${md5}; nothing was saved`);
    await rename(tmp, dest);
  } finally {
    clearTimeout(timer);
    rmSync(tmp, { force: true });
  }
}

function describe(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.message ? `${err.message} (${err.cause.message})` : err.message;
}
