import { allocStorage, isFloat } from '../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/rng.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A batch transform: takes images [N,C,H,W] (or one image [C,H,W]) and returns new ones; random
 * transforms draw from the Generator they were made with, so a seeded generator repeats them.
 */
export type Transform = (x: Tensor) => Tensor;

/** Options shared by the random transforms. */
export interface RandomOptions {
  /** Where the random draws come from (default: the global generator). */
  generator?: Generator;
}

/** Applies transforms left to right (torchvision's Compose). */
export function compose(...transforms: Transform[]): Transform {
  return (x) => transforms.reduce((y, t) => t(y), x);
}

/** A float image batch as a contiguous [N,C,H,W] typed array, plus a function to wrap results in x's rank. */
function asBatch(op: string, x: Tensor): { n: number; c: number; h: number; w: number; data: Float32Array | Float64Array; wrap: (d: Float32Array | Float64Array, h?: number, w?: number) => Tensor } {
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 image tensor, got ${x.dtype}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${op}: expected images [N,C,H,W] or one image [C,H,W], got shape ${fmtShape(x.shape)}`);
  const single = x.ndim === 3;
  const [n, c, h, w] = (single ? [1, ...x.shape] : x.shape) as [number, number, number, number];
  const size = n * c * h * w;
  const data = (x.isContiguous() ? x.data.subarray(x.offset, x.offset + size) : x.toTypedArray()) as Float32Array | Float64Array;
  const wrap = (d: Float32Array | Float64Array, oh = h, ow = w): Tensor => Tensor.fromStorage(d, x.dtype, single ? [c, oh, ow] : [n, c, oh, ow]);
  return { n, c, h, w, data, wrap };
}

/** (x - mean[c]) / std[c] per channel (torchvision's Normalize); one value applies to every channel. */
export function normalize(mean: readonly number[] | number, std: readonly number[] | number): Transform {
  const m = typeof mean === 'number' ? [mean] : [...mean];
  const s = typeof std === 'number' ? [std] : [...std];
  if (m.length !== s.length) throw new ShapeError(`normalize: mean has ${m.length} values but std has ${s.length}`);
  const zero = s.findIndex((v) => !(v !== 0 && Number.isFinite(v)));
  if (zero >= 0) throw new RangeError(`normalize: std[${zero}] is ${s[zero]}; expected a finite non-zero number`);
  return (x) => {
    const { n, c, h, w, data, wrap } = asBatch('normalize', x);
    if (m.length !== 1 && m.length !== c) throw new ShapeError(`normalize: ${m.length} means and stds for ${c} channels (images ${fmtShape(x.shape)})`);
    const out = allocStorage(x.dtype, data.length) as Float32Array | Float64Array;
    const plane = h * w;
    for (let i = 0; i < n * c; i++) {
      const ch = m.length === 1 ? 0 : i % c;
      const mu = m[ch]!;
      const inv = 1 / s[ch]!;
      for (let j = i * plane, e = j + plane; j < e; j++) out[j] = (data[j]! - mu) * inv;
    }
    return wrap(out);
  };
}

/** Options of randomCrop. */
export interface RandomCropOptions extends RandomOptions {
  /** Border added on every side before cropping (default 0). */
  padding?: number;
  /** 'constant' pads with `fill` (default), 'reflect' mirrors the image without repeating the edge, 'edge' repeats it. */
  paddingMode?: 'constant' | 'reflect' | 'edge';
  /** Pad value for 'constant' (default 0). */
  fill?: number;
}

function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - k;
  return k;
}

/**
 * Pads each image by `padding` on every side, then cuts a size×size (or [h,w]) window at a random
 * position, drawn per image (torchvision's RandomCrop). Draw order per image: top, then left.
 */
export function randomCrop(size: number | readonly [number, number], opts: RandomCropOptions = {}): Transform {
  const [ch, cw] = typeof size === 'number' ? [size, size] : size;
  const pad = opts.padding ?? 0;
  const mode = opts.paddingMode ?? 'constant';
  const fill = opts.fill ?? 0;
  const gen = opts.generator ?? defaultGenerator;
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`randomCrop: padding must be a non-negative integer, got ${pad}`);
  if (!(Number.isInteger(ch) && Number.isInteger(cw) && ch > 0 && cw > 0)) throw new RangeError(`randomCrop: size must be positive integers, got ${JSON.stringify(size)}`);
  return (x) => {
    const { n, c, h, w, data, wrap } = asBatch('randomCrop', x);
    const ph = h + 2 * pad;
    const pw = w + 2 * pad;
    if (ch > ph || cw > pw) throw new ShapeError(`randomCrop: crop ${ch}x${cw} is larger than the padded image ${ph}x${pw} (images ${fmtShape(x.shape)}, padding ${pad})`);
    if (mode === 'reflect' && pad >= Math.min(h, w) && pad > 0) throw new RangeError(`randomCrop: reflect padding ${pad} needs images larger than it, got ${h}x${w}`);
    const out = allocStorage(x.dtype, n * c * ch * cw) as Float32Array | Float64Array;
    const rowSrc = new Int32Array(ch);
    const colSrc = new Int32Array(cw);
    const map = (i: number, len: number): number => {
      if (i >= 0 && i < len) return i;
      if (mode === 'constant') return -1;
      return mode === 'edge' ? Math.min(len - 1, Math.max(0, i)) : reflectIndex(i, len);
    };
    for (let b = 0; b < n; b++) {
      const top = gen.randint(0, ph - ch + 1) - pad;
      const left = gen.randint(0, pw - cw + 1) - pad;
      for (let y = 0; y < ch; y++) rowSrc[y] = map(top + y, h);
      for (let xx = 0; xx < cw; xx++) colSrc[xx] = map(left + xx, w);
      const xa = Math.min(cw, Math.max(0, -left));
      const xb = Math.max(xa, Math.min(cw, w - left));
      for (let k = 0; k < c; k++) {
        const src = (b * c + k) * h * w;
        const dst = (b * c + k) * ch * cw;
        for (let y = 0; y < ch; y++) {
          const sy = rowSrc[y]!;
          const o = dst + y * cw;
          if (sy < 0) {
            out.fill(fill, o, o + cw);
            continue;
          }
          const r = src + sy * w;
          // Columns xa..xb-1 lie inside the image: one block copy; only the padded edges go one by one.
          for (let xx = 0; xx < xa; xx++) out[o + xx] = colSrc[xx]! < 0 ? fill : data[r + colSrc[xx]!]!;
          if (xb > xa) out.set(data.subarray(r + left + xa, r + left + xb), o + xa);
          for (let xx = Math.max(xb, xa); xx < cw; xx++) out[o + xx] = colSrc[xx]! < 0 ? fill : data[r + colSrc[xx]!]!;
        }
      }
    }
    return wrap(out, ch, cw);
  };
}

/** Mirrors each image left-right with probability p (default 0.5), drawn per image. */
export function randomHorizontalFlip(p = 0.5, opts: RandomOptions = {}): Transform {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`randomHorizontalFlip: p must be in [0, 1], got ${p}`);
  const gen = opts.generator ?? defaultGenerator;
  return (x) => {
    const { n, c, h, w, data, wrap } = asBatch('randomHorizontalFlip', x);
    const out = allocStorage(x.dtype, data.length) as Float32Array | Float64Array;
    const img = c * h * w;
    for (let b = 0; b < n; b++) {
      const base = b * img;
      if (gen.random() < p) {
        for (let r = base; r < base + img; r += w) for (let j = 0; j < w; j++) out[r + j] = data[r + w - 1 - j]!;
      } else out.set(data.subarray(base, base + img), base);
    }
    return wrap(out);
  };
}

/** A jitter amount: b gives factors uniform in [max(0, 1-b), 1+b]; [lo, hi] gives them in [lo, hi]. */
export type JitterRange = number | readonly [number, number];

/** Options of colorJitter; each factor is drawn per image, 1 leaves the image unchanged. */
export interface ColorJitterOptions extends RandomOptions {
  /** Scales pixel values: x·f. */
  brightness?: JitterRange;
  /** Blends with the image's mean grey level m: (x - m)·f + m. */
  contrast?: JitterRange;
  /** Blends each pixel with its grey level g: (x - g)·f + g (RGB images only). */
  saturation?: JitterRange;
  /** Clamp results to [0, 1] after each step, as torchvision does for float images (default true). */
  clamp?: boolean;
}

function jitterRange(name: string, r: JitterRange | undefined): [number, number] | null {
  if (r === undefined) return null;
  const [lo, hi] = typeof r === 'number' ? [Math.max(0, 1 - r), 1 + r] : r;
  if (!(lo >= 0 && hi >= lo && Number.isFinite(hi))) throw new RangeError(`colorJitter: ${name} must be a non-negative number or a range [lo, hi] with 0 <= lo <= hi, got ${JSON.stringify(r)}`);
  return lo === 1 && hi === 1 ? null : [lo, hi];
}

/** Luma weights of ITU-R 601-2, as torchvision's rgb_to_grayscale uses. */
const [GR, GG, GB] = [0.2989, 0.587, 0.114];

/** v <- clamp((v - m)·f + m) over out[o, o+len): brightness (m = 0) and contrast. */
function blend(out: Float32Array | Float64Array, o: number, len: number, f: number, m: number, lo: number, hi: number): void {
  const add = m * (1 - f);
  for (let j = o, e = o + len; j < e; j++) {
    const v = out[j]! * f + add;
    out[j] = v < lo ? lo : v > hi ? hi : v;
  }
}

/** Mean grey level of one image (the plain mean for one channel). */
function meanGrey(out: Float32Array | Float64Array, o: number, plane: number, c: number): number {
  let m = 0;
  if (c === 1) for (let j = o; j < o + plane; j++) m += out[j]!;
  else for (let j = o; j < o + plane; j++) m += GR * out[j]! + GG * out[j + plane]! + GB * out[j + 2 * plane]!;
  return m / plane;
}

/** Blends each RGB pixel with its grey level: v <- clamp((v - g)·f + g). */
function saturate(out: Float32Array | Float64Array, o: number, plane: number, f: number, lo: number, hi: number): void {
  const keep = 1 - f;
  for (let j = o; j < o + plane; j++) {
    const r = out[j]!;
    const g = out[j + plane]!;
    const b = out[j + 2 * plane]!;
    const add = (GR * r + GG * g + GB * b) * keep;
    const r2 = r * f + add;
    const g2 = g * f + add;
    const b2 = b * f + add;
    out[j] = r2 < lo ? lo : r2 > hi ? hi : r2;
    out[j + plane] = g2 < lo ? lo : g2 > hi ? hi : g2;
    out[j + 2 * plane] = b2 < lo ? lo : b2 > hi ? hi : b2;
  }
}

/**
 * Random brightness, contrast and saturation changes (torchvision's ColorJitter without hue), for
 * models that must survive lighting shifts. Per image, the enabled adjustments run in a random
 * order (as in torchvision), each with a factor drawn uniformly from its range. Grey level of a
 * pixel: 0.2989 R + 0.587 G + 0.114 B (the pixel itself for one-channel images); contrast blends
 * with the mean grey level of the whole image. Draw order per image: the order (one draw per
 * enabled adjustment beyond the first, Fisher-Yates), then each factor in the order applied.
 */
export function colorJitter(opts: ColorJitterOptions): Transform {
  const ranges = [jitterRange('brightness', opts.brightness), jitterRange('contrast', opts.contrast), jitterRange('saturation', opts.saturation)];
  const kinds = [0, 1, 2].filter((k) => ranges[k] !== null);
  const gen = opts.generator ?? defaultGenerator;
  const clamp = opts.clamp ?? true;
  return (x) => {
    const { n, c, h, w, data, wrap } = asBatch('colorJitter', x);
    if (c !== 1 && c !== 3) throw new ShapeError(`colorJitter: expected 1 or 3 channels, got ${c} (images ${fmtShape(x.shape)})`);
    const out = allocStorage(x.dtype, data.length) as Float32Array | Float64Array;
    out.set(data);
    const plane = h * w;
    const img = c * plane;
    const lo = clamp ? 0 : -Infinity;
    const hi = clamp ? 1 : Infinity;
    const order = [...kinds];
    for (let b = 0; b < n; b++) {
      const o = b * img;
      for (let i = order.length - 1; i > 0; i--) {
        const j = gen.randint(0, i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const k of order) {
        const [a, z] = ranges[k]!;
        const f = a + gen.random() * (z - a);
        if (k === 0) blend(out, o, img, f, 0, lo, hi);
        else if (k === 1) blend(out, o, img, f, meanGrey(out, o, plane, c), lo, hi);
        else if (c === 3) saturate(out, o, plane, f, lo, hi);
      }
    }
    return wrap(out);
  };
}
