import type { DType, Storage } from '../core/dtype.js';

const EDGE = 3;
const THRESHOLD = 1000;

/** How a float tensor's numbers are written: all integers, fixed 4 decimals, or scientific. */
function floatStyle(values: ArrayLike<number>): (v: number) => string {
  let maxAbs = 0;
  let minAbs = Infinity;
  let allInt = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allInt = false;
  }
  const special = (v: number): string | null => (Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null);
  if (allInt && maxAbs < 1e8) return (v) => special(v) ?? `${v.toFixed(0)}.`;
  if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || (minAbs !== Infinity && maxAbs / minAbs > 1000)) {
    return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return (v) => special(v) ?? v.toFixed(4);
}

/** PyTorch-style text of a tensor's values: aligned columns, `...` when larger than 1000 elements. */
export function formatTensor(flat: Storage, shape: readonly number[], dtype: DType, suffix: string[]): string {
  const summarize = flat.length > THRESHOLD;
  const fmt: (v: number) => string =
    dtype === 'bool' ? (v) => (v ? 'True' : 'False') : dtype === 'int32' ? (v) => String(v) : floatStyle(flat);
  const strides: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  // Which indices of a dimension are shown (null marks the ellipsis).
  const shown = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE ? [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : Array.from({ length: n }, (_, i) => i);
  const cells: string[] = [];
  const collect = (d: number, off: number): void => {
    if (d === shape.length) {
      cells.push(fmt(flat[off]!));
      return;
    }
    for (const i of shown(shape[d]!)) if (i !== null) collect(d + 1, off + i * strides[d]!);
  };
  collect(0, 0);
  const width = Math.max(0, ...cells.map((c) => c.length));
  let ci = 0;
  const indent = 'tensor('.length;
  const render = (d: number): string => {
    if (d === shape.length) return cells[ci++]!.padStart(width);
    const parts = shown(shape[d]!).map((i) => (i === null ? '...' : render(d + 1)));
    const pad = ' '.repeat(indent + d + 1);
    const sep = d === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - 1 - d) + pad;
    return '[' + parts.join(sep) + ']';
  };
  const body = shape.length === 0 ? fmt(flat[0]!) : render(0);
  const extra = [...(summarize ? [`shape=[${shape.join(', ')}]`] : []), ...(dtype === 'float32' ? [] : [`dtype=${dtype}`]), ...suffix];
  return `tensor(${body}${extra.length ? ', ' + extra.join(', ') : ''})`;
}
