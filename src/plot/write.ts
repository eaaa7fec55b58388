import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Plot } from './render.js';

/** Writes `data` to `path` atomically: a temporary file beside it, then a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes `<pathWithoutExt>.svg` and `<pathWithoutExt>.png`, each atomically; returns both paths. */
export function writePlot(pathWithoutExt: string, plot: Plot): { svg: string; png: string } {
  if (/\.(svg|png)$/i.test(pathWithoutExt)) throw new TypeError(`writePlot: give the path without extension, got ${JSON.stringify(pathWithoutExt)}`);
  const paths = { svg: `${pathWithoutExt}.svg`, png: `${pathWithoutExt}.png` };
  writeFileAtomic(paths.svg, plot.svg);
  writeFileAtomic(paths.png, plot.png);
  return paths;
}
