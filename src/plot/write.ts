import { writeFileAtomic } from '../core/atomic-write.js';
import type { Plot } from './render.js';

/** Writes `<pathWithoutExt>.svg` and `<pathWithoutExt>.png`, each atomically; returns both paths. */
export function writePlot(pathWithoutExt: string, plot: Plot): { svg: string; png: string } {
  if (/\.(svg|png)$/i.test(pathWithoutExt)) throw new TypeError(`writePlot: give the path without extension, got ${JSON.stringify(pathWithoutExt)}`);
  const paths = { svg: `${pathWithoutExt}.svg`, png: `${pathWithoutExt}.png` };
  writeFileAtomic(paths.svg, plot.svg, { makeDirs: true });
  writeFileAtomic(paths.png, plot.png, { makeDirs: true });
  return paths;
}
