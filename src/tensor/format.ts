import type { DType, Storage } from '../core/dtype.js';

// PyTorch's print options (torch/_tensor_str.py, 1.13): this file follows its rules step by step,
// so a tensor prints the same text in tsgrad and in PyTorch (only dtype names and the gradient
// suffix differ, and summarized tensors also show their shape).
const EDGE = 3;
const THRESHOLD = 1000;
const LINEWIDTH = 80;
const PRECISION = 4;

/**
 * Rounds the exact decimal value of `v` to `digits` decimals, ties to even, like Python's
 * '{:.Nf}' (JS toFixed rounds ties away from zero: 0.03125 -> 0.0313 where PyTorch prints 0.0312).
 */
function toFixedEven(v: number, digits: number): string {
  const s = v.toFixed(digits);
  const exact = v.toFixed(100); // exact for every double with fewer than 100 fractional digits
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (!/^50*$/.test(tail)) return Object.is(v, -0) ? '-' + s : s;
  // An exact tie: keep the truncated value when its last digit is even.
  const truncated = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
  const last = truncated.replace('.', '').slice(-1);
  return Number(last) % 2 === 0 ? truncated : s;
}

/** Python's '{:.4e}': mantissa rounded ties-to-even, exponent with at least two digits. */
function toExpEven(v: number, digits: number): string {
  let s = v.toExponential(digits);
  const exact = v.toExponential(100);
  const [mant, exp] = exact.split('e') as [string, string];
  const dot = mant.indexOf('.');
  const tail = mant.slice(dot + 1 + digits);
  if (/^50*$/.test(tail)) {
    const truncated = mant.slice(0, dot + 1 + digits);
    if (Number(truncated.slice(-1)) % 2 === 0) s = `${truncated}e${exp}`;
  }
  if (Object.is(v, -0)) s = '-' + s;
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's str() of a non-finite float, or null. */
function special(v: number): string | null {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null;
}

/** PyTorch's _Formatter: picks int / fixed / scientific mode and the column width from the shown values. */
function makeFormatter(values: readonly number[], dtype: DType): { format: (v: number) => string; width: number } {
  if (dtype === 'bool' || dtype === 'int32') {
    const str = (v: number): string => (dtype === 'bool' ? (v ? 'True' : 'False') : String(v));
    const w = Math.max(1, ...values.map((v) => str(v).length));
    return { format: (v) => str(v).padStart(w), width: w };
  }
  // Only the non-zero finite values decide the mode and the width.
  const vals = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sci = false;
  let width = 1;
  if (vals.length > 0) {
    const abs = vals.map(Math.abs);
    const lo = Math.min(...abs);
    const hi = Math.max(...abs);
    intMode = vals.every((v) => v === Math.ceil(v));
    if (intMode) {
      sci = hi / lo > 1000 || hi > 1e8;
      for (const v of vals) width = Math.max(width, sci ? toExpEven(v, PRECISION).length : toFixedEven(v, 0).length + 1);
    } else {
      sci = hi / lo > 1000 || hi > 1e8 || lo < 1e-4;
      for (const v of vals) width = Math.max(width, sci ? toExpEven(v, PRECISION).length : toFixedEven(v, PRECISION).length);
    }
  }
  const format = (v: number): string => {
    let s = special(v);
    if (s === null) s = sci ? toExpEven(v, PRECISION) : intMode ? toFixedEven(v, 0) + '.' : toFixedEven(v, PRECISION);
    return s.padStart(width);
  };
  return { format, width };
}

/** PyTorch-style text of a tensor's values: aligned columns, 80-column lines, `...` when larger than 1000 elements. */
export function formatTensor(flat: Storage, shape: readonly number[], dtype: DType, suffix: string[]): string {
  const n = flat.length;
  const indent = 'tensor('.length;
  if (n === 0) {
    // Like PyTorch: the size is shown unless it is (0,), and the dtype always (nothing to infer it from).
    const extra = [...(shape.length !== 1 ? [`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`] : []), ...(dtype === 'float32' ? [] : [`dtype=${dtype}`]), ...suffix];
    return addSuffixes('tensor([]', extra, indent);
  }
  const summarize = n > THRESHOLD;
  const strides: number[] = [];
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  // Which indices of a dimension are shown (null marks the ellipsis).
  const shown = (len: number): (number | null)[] =>
    summarize && len > 2 * EDGE
      ? [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => len - EDGE + i)]
      : Array.from({ length: len }, (_, i) => i);
  // The formatter sees only the values that will be printed (PyTorch's get_summarized_data).
  const shownValues: number[] = [];
  const collect = (d: number, off: number): void => {
    if (d === shape.length) {
      shownValues.push(flat[off]!);
      return;
    }
    for (const i of shown(shape[d]!)) if (i !== null) collect(d + 1, off + i * strides[d]!);
  };
  collect(0, 0);
  const fmt = makeFormatter(shownValues, dtype);
  const cell = (off: number): string => fmt.format(flat[off]!);

  const render = (d: number, off: number, ind: number): string => {
    const len = shape[d]!;
    if (d === shape.length - 1) {
      // One row: as many cells per line as fit in LINEWIDTH.
      const items = shown(len).map((i) => (i === null ? ' ...' : cell(off + i * strides[d]!)));
      const cellWidth = fmt.width + 2;
      const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / cellWidth));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
    }
    const parts = shown(len).map((i) => (i === null ? '...' : render(d + 1, off + i * strides[d]!, ind + 1)));
    return '[' + parts.join(',' + '\n'.repeat(shape.length - 1 - d) + ' '.repeat(ind + 1)) + ']';
  };
  const body = shape.length === 0 ? cell(0) : render(0, 0, indent);
  const extra = [...(summarize ? [`shape=[${shape.join(', ')}]`] : []), ...(dtype === 'float32' || dtype === 'bool' ? [] : [`dtype=${dtype}`]), ...suffix];
  return addSuffixes('tensor(' + body, extra, indent);
}

/** PyTorch's _add_suffixes: a suffix that would pass LINEWIDTH goes on its own line. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  const parts = [text];
  // PyTorch's own arithmetic (it counts 2 more than the last line's length when there is no newline).
  let last = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (last + s.length + 2 > LINEWIDTH) {
      parts.push(',\n' + ' '.repeat(indent) + s);
      last = indent + s.length;
    } else {
      parts.push(', ' + s);
      last += s.length + 2;
    }
  }
  return parts.join('') + ')';
}
