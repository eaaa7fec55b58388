import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { TsgradError } from '../core/errors.js';

/** An image file that cannot be read or converted. */
export class ImageError extends TsgradError {
  override name = 'ImageError';
}

/**
 * Reads a PNG into float32 [C, H, W] in [0, 1] with C = `channels` (1: grayscale by luminance
 * 0.299R + 0.587G + 0.114B; 3: RGB), composited over black where transparent (MNIST-style data
 * has black backgrounds), and resized to outH × outW (area averaging when shrinking, bilinear
 * when enlarging).
 */
export function readPngImage(path: string, channels: number, outH: number, outW: number): Float32Array {
  if (channels !== 1 && channels !== 3) throw new ImageError(`readPngImage: channels must be 1 or 3, got ${channels}`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ImageError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a PNG file' : code === 'EACCES' ? 'permission denied' : `cannot be read (${code ?? (e as Error).message})`}`);
  }
  const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new ImageError(`${path}: not a PNG file (it does not start with the PNG signature; only PNG images are read)`);
  let png: PNG;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    // The decoder's own wording is kept only when it is a message about the file, not a JS internal.
    const msg = e instanceof Error ? e.message : String(e);
    const internal = e instanceof TypeError || e instanceof RangeError || /undefined|null|is not a function|properties of/.test(msg);
    throw new ImageError(`${path}: a damaged or unsupported PNG${internal ? '' : ` (${msg})`}`);
  }
  const { width: w, height: h, data } = png;
  // Planar float channels in [0, 1], alpha applied.
  const planes = Array.from({ length: channels }, () => new Float32Array(w * h));
  for (let i = 0; i < w * h; i++) {
    const a = data[4 * i + 3]! / 255;
    const r = (data[4 * i]! / 255) * a;
    const g = (data[4 * i + 1]! / 255) * a;
    const b = (data[4 * i + 2]! / 255) * a;
    if (channels === 1) planes[0]![i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      planes[0]![i] = r;
      planes[1]![i] = g;
      planes[2]![i] = b;
    }
  }
  const out = new Float32Array(channels * outH * outW);
  planes.forEach((p, c) => out.set(resizePlane(p, h, w, outH, outW), c * outH * outW));
  return out;
}

/** Resizes one plane: exact area average when shrinking an axis, bilinear (align corners off) when enlarging. */
export function resizePlane(src: Float32Array, h: number, w: number, oh: number, ow: number): Float32Array {
  if (h === oh && w === ow) return src.slice();
  const out = new Float32Array(oh * ow);
  const sy = h / oh;
  const sx = w / ow;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) out[y * ow + x] = sample(src, h, w, y, x, sy, sx);
  }
  return out;
}

/** Value of output pixel (y, x): area average over its footprint, or bilinear where the footprint is under a pixel. */
function sample(src: Float32Array, h: number, w: number, y: number, x: number, sy: number, sx: number): number {
  if (sy >= 1 && sx >= 1) {
    const y0 = y * sy;
    const y1 = y0 + sy;
    const x0 = x * sx;
    const x1 = x0 + sx;
    let sum = 0;
    for (let yy = Math.floor(y0); yy < Math.min(h, Math.ceil(y1)); yy++) {
      const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
      for (let xx = Math.floor(x0); xx < Math.min(w, Math.ceil(x1)); xx++) {
        const wx = Math.min(x1, xx + 1) - Math.max(x0, xx);
        sum += wy * wx * src[yy * w + xx]!;
      }
    }
    return sum / (sy * sx);
  }
  const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
  const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
  const y0 = Math.floor(fy);
  const x0 = Math.floor(fx);
  const y1 = Math.min(h - 1, y0 + 1);
  const x1 = Math.min(w - 1, x0 + 1);
  const dy = fy - y0;
  const dx = fx - x0;
  const top = src[y0 * w + x0]! * (1 - dx) + src[y0 * w + x1]! * dx;
  const bot = src[y1 * w + x0]! * (1 - dx) + src[y1 * w + x1]! * dx;
  return top * (1 - dy) + bot * dy;
}
