import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, pidAlive } from '../core/atomic-write.js';
import { TsgradError } from '../core/errors.js';

/** Another live sweep holds the output folder. */
export class SweepLockedError extends TsgradError {
  override name = 'SweepLockedError';
}

/**
 * Takes `<dir>/lock`, holding this process's PID, so a second sweep on the same output folder
 * cannot start duplicates of live runs. A lock left by a dead process is taken over. Returns the
 * function that releases it.
 */
export function acquireSweepLock(dir: string, what: string): () => void {
  ensureDir(dir);
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(path, 'utf8').trim());
    } catch {
      // Removed meanwhile: try again.
    }
    if (pidAlive(pid) && pid !== process.pid) {
      throw new SweepLockedError(`sweep: another sweep (PID ${pid}) is running in ${what}; wait for it to finish or stop it (${path} holds its PID)`);
    }
    rmSync(path, { force: true }); // stale: its sweep is dead
  }
  throw new SweepLockedError(`sweep: could not take the lock ${path}`);
}
