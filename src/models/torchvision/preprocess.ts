/** ImageNet-style preprocessing on tensors: bilinear resize, centre crop, mean/std normalisation. */
import { ShapeError, fmtShape } from '../../core/errors.js';
import { Tensor } from '../../tensor/tensor.js';

/** ImageNet channel means and standard deviations (RGB, for inputs in [0, 1]). */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

function as4d(x: Tensor, op: string): { t: Tensor; squeeze: boolean } {
  if (x.ndim === 3) return { t: x.reshape([1, ...x.shape]), squeeze: true };
  if (x.ndim === 4) return { t: x, squeeze: false };
  throw new ShapeError(`${op}: expected [C, H, W] or [N, C, H, W], got ${fmtShape(x.shape)}`);
}

/**
 * Bilinear resize of x [N, C, H, W] (or [C, H, W]) to [outH, outW], like torch's
 * interpolate(mode='bilinear', align_corners=False) without antialiasing. Not differentiable
 * (a data transform); float32 output.
 */
export function resizeBilinear(x: Tensor, outH: number, outW: number): Tensor {
  const { t, squeeze } = as4d(x, 'resizeBilinear');
  if (!(Number.isInteger(outH) && Number.isInteger(outW) && outH > 0 && outW > 0)) throw new ShapeError(`resizeBilinear: output size must be positive integers, got ${outH}x${outW}`);
  const [n, c, h, w] = t.shape as [number, number, number, number];
  const src = t.toTypedArray();
  const out = new Float32Array(n * c * outH * outW);
  const axis = (o: number, inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } => {
    const i0 = new Int32Array(o);
    const i1 = new Int32Array(o);
    const f = new Float64Array(o);
    const scale = inSize / outSize;
    for (let i = 0; i < o; i++) {
      const s = Math.max(0, (i + 0.5) * scale - 0.5);
      const lo = Math.min(Math.floor(s), inSize - 1);
      i0[i] = lo;
      i1[i] = Math.min(lo + 1, inSize - 1);
      f[i] = s - lo;
    }
    return { i0, i1, f };
  };
  const ay = axis(outH, h, outH);
  const ax = axis(outW, w, outW);
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    const ob = p * outH * outW;
    for (let y = 0; y < outH; y++) {
      const r0 = base + ay.i0[y]! * w;
      const r1 = base + ay.i1[y]! * w;
      const fy = ay.f[y]!;
      for (let xx = 0; xx < outW; xx++) {
        const a = ax.i0[xx]!;
        const b = ax.i1[xx]!;
        const fx = ax.f[xx]!;
        const top = Number(src[r0 + a]) * (1 - fx) + Number(src[r0 + b]) * fx;
        const bot = Number(src[r1 + a]) * (1 - fx) + Number(src[r1 + b]) * fx;
        out[ob + y * outW + xx] = top * (1 - fy) + bot * fy;
      }
    }
  }
  const res = Tensor.fromStorage(out, 'float32', [n, c, outH, outW]);
  return squeeze ? res.reshape([c, outH, outW]) : res;
}

/** Resizes so that the shorter side is `size` (aspect kept, torchvision's Resize(int)). */
export function resizeShorter(x: Tensor, size: number): Tensor {
  const { t } = as4d(x, 'resizeShorter');
  const [h, w] = [t.shape[2]!, t.shape[3]!];
  const [oh, ow] = h <= w ? [size, Math.floor((size * w) / h)] : [Math.floor((size * h) / w), size];
  return oh === h && ow === w ? x : resizeBilinear(x, oh, ow);
}

/** The central size×size crop (torchvision's CenterCrop rounding). */
export function centerCrop(x: Tensor, size: number): Tensor {
  const { t, squeeze } = as4d(x, 'centerCrop');
  const [h, w] = [t.shape[2]!, t.shape[3]!];
  if (size > h || size > w) throw new ShapeError(`centerCrop: crop ${size} is larger than the image ${h}x${w}`);
  const top = Math.round((h - size) / 2);
  const left = Math.round((w - size) / 2);
  const out = t.narrow(2, top, size).narrow(3, left, size).contiguous();
  return squeeze ? out.reshape([t.shape[1]!, size, size]) : out;
}

/** Options of imagenetPreprocess. */
export interface PreprocessOptions {
  /** Shorter side after resizing (default 256); 0 skips the resize. */
  resize?: number;
  /** Centre crop (default 224); 0 skips the crop. */
  crop?: number;
  mean?: readonly number[];
  std?: readonly number[];
}

/**
 * torchvision's ImageNet evaluation transform on tensors with values in [0, 1]: resize the shorter
 * side, centre-crop, normalise per channel. Grayscale ([N, 1, H, W]) is repeated to 3 channels.
 */
export function imagenetPreprocess(x: Tensor, opts: PreprocessOptions = {}): Tensor {
  let { t } = as4d(x, 'imagenetPreprocess');
  const c = t.shape[1]!;
  if (c === 1) t = t.expand([t.shape[0]!, 3, t.shape[2]!, t.shape[3]!]).contiguous();
  else if (c !== 3) throw new ShapeError(`imagenetPreprocess: expected 1 or 3 channels, got ${fmtShape(x.shape)}`);
  const resize = opts.resize ?? 256;
  const crop = opts.crop ?? 224;
  if (resize > 0) t = resizeShorter(t, resize);
  if (crop > 0) t = centerCrop(t, crop);
  const mean = opts.mean ?? IMAGENET_MEAN;
  const std = opts.std ?? IMAGENET_STD;
  const m = Tensor.fromStorage(Float32Array.from(mean), 'float32', [1, 3, 1, 1]);
  const s = Tensor.fromStorage(Float32Array.from(std), 'float32', [1, 3, 1, 1]);
  const y = t.to('float32').sub(m).div(s);
  return x.ndim === 3 ? y.reshape([3, y.shape[2]!, y.shape[3]!]) : y;
}
