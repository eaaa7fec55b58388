import { IndexError, ShapeError, TsgradError, fmtShape } from '../core/errors.js';
import { full, tensor } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat, indexSelect } from './indexing.js';
import { narrow } from './shape.js';
import { defineMethods } from './util.js';

/** How pad fills the border: a constant, the mirror image without the edge, the edge value, or the far side. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * Pads the trailing dims like torch.nn.functional.pad: `padding` lists [left, right] pairs starting
 * from the last dim ([l, r] pads the last, [l, r, t, b] the last two, ...). In 'constant' mode a
 * negative amount crops. Every mode is a composition of cat/indexSelect, so autograd derives the gradient.
 */
export function pad(x: Tensor, padding: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ShapeError(`pad: padding must hold [left, right] pairs for at most ${x.ndim} dims of input ${fmtShape(x.shape)}, got [${padding.join(', ')}]`);
  }
  if (!padding.every((p) => Number.isInteger(p))) throw new TsgradError(`pad: padding must be integers, got [${padding.join(', ')}]`);
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular') {
    throw new TsgradError(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got '${String(mode)}'`);
  }
  let y = x;
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    const left = padding[2 * i]!;
    const right = padding[2 * i + 1]!;
    y = mode === 'constant' ? padConstant(y, d, left, right, value) : padIndexed(y, d, left, right, mode);
  }
  return y;
}

function padConstant(x: Tensor, d: number, left: number, right: number, value: number): Tensor {
  const n = x.shape[d]!;
  // Negative amounts crop first, as in PyTorch.
  const cropL = Math.max(-left, 0);
  const cropR = Math.max(-right, 0);
  if (cropL + cropR > n) throw new ShapeError(`pad: cropping ${cropL + cropR} from dimension ${d} of size ${n} leaves nothing`);
  let y = cropL + cropR > 0 ? narrow(x, d, cropL, n - cropL - cropR) : x;
  const parts: Tensor[] = [];
  const side = (k: number) => full(y.shape.map((s, j) => (j === d ? k : s)), value, { dtype: y.dtype });
  if (left > 0) parts.push(side(left));
  parts.push(y);
  if (right > 0) parts.push(side(right));
  if (parts.length > 1) y = cat(parts, d);
  return y;
}

function padIndexed(x: Tensor, d: number, left: number, right: number, mode: Exclude<PadMode, 'constant'>): Tensor {
  const n = x.shape[d]!;
  if (left < 0 || right < 0) throw new IndexError(`pad: '${mode}' mode needs non-negative padding, got ${left}, ${right} for dimension ${d}`);
  if (left === 0 && right === 0) return x;
  if (mode === 'reflect' && (left >= n || right >= n)) {
    throw new IndexError(`pad: 'reflect' padding (${left}, ${right}) must be smaller than dimension ${d}'s size ${n} (input ${fmtShape(x.shape)})`);
  }
  if (mode === 'circular' && (left > n || right > n)) {
    throw new IndexError(`pad: 'circular' padding (${left}, ${right}) must not exceed dimension ${d}'s size ${n} (input ${fmtShape(x.shape)})`);
  }
  if (n === 0) throw new ShapeError(`pad: '${mode}' mode cannot pad the empty dimension ${d} of input ${fmtShape(x.shape)}`);
  const idx = new Int32Array(n + left + right);
  for (let j = -left; j < n + right; j++) {
    let i: number;
    if (mode === 'replicate') i = Math.min(Math.max(j, 0), n - 1);
    else if (mode === 'circular') i = ((j % n) + n) % n;
    else i = j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
    idx[j + left] = i;
  }
  return indexSelect(x, d, tensor(idx));
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    pad(padding: readonly number[], mode?: PadMode, value?: number): Tensor;
  }
}

defineMethods({ pad: (x, p: readonly number[], m?: PadMode, v?: number) => pad(x, p, m, v) });
