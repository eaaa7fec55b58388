import type { Pool2dParams, View } from '../backend.js';

interface Window { hs: number; he: number; ws: number; we: number; divisor: number }

/** Visits each output position of each plane with its clipped input window. */
function windows(x: readonly number[], y: readonly number[], p: Pool2dParams, f: (plane: number, yi: number, win: Window) => void): void {
  const [N, C, H, W] = x as [number, number, number, number];
  const [, , OH, OW] = y as [number, number, number, number];
  const [kh, kw] = p.kernel;
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  for (let plane = 0; plane < N * C; plane++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const h0 = oh * sh - ph;
        const w0 = ow * sw - pw;
        // The divisor counts padding (when asked) but never positions past the padded edge.
        const padded = (Math.min(h0 + kh, H + ph) - h0) * (Math.min(w0 + kw, W + pw) - w0);
        const hs = Math.max(h0, 0), ws = Math.max(w0, 0);
        const he = Math.min(h0 + kh, H), we = Math.min(w0 + kw, W);
        const divisor = p.countIncludePad ? padded : (he - hs) * (we - ws);
        f(plane, (plane * OH + oh) * OW + ow, { hs, he, ws, we, divisor });
      }
    }
  }
}

/** Max pooling over contiguous NCHW; argmax gets h*W+w within the plane. */
export function maxPool2d(x: View, out: View, argmax: View, p: Pool2dParams): void {
  const H = x.shape[2]!, W = x.shape[3]!;
  const xd = x.data, od = out.data, ad = argmax.data;
  windows(x.shape, out.shape, p, (plane, yi, { hs, he, ws, we }) => {
    const base = x.offset + plane * H * W;
    let best = -Infinity;
    let bi = hs * W + ws;
    for (let h = hs; h < he; h++) {
      for (let w = ws; w < we; w++) {
        const v = xd[base + h * W + w]!;
        if (v > best || v !== v) {
          best = v;
          bi = h * W + w;
          if (v !== v) break;
        }
      }
    }
    od[out.offset + yi] = best;
    ad[argmax.offset + yi] = bi;
  });
}

/** Routes each output gradient to the input position that won the max. */
export function maxPool2dBackward(gy: View, argmax: View, gx: View, p: Pool2dParams): void {
  const [N, C, H, W] = gx.shape as [number, number, number, number];
  const per = gy.shape[2]! * gy.shape[3]!;
  const gd = gx.data;
  gd.fill(0, gx.offset, gx.offset + N * C * H * W);
  void p;
  for (let plane = 0; plane < N * C; plane++) {
    for (let i = 0; i < per; i++) {
      const yi = plane * per + i;
      gd[gx.offset + plane * H * W + argmax.data[argmax.offset + yi]!]! += gy.data[gy.offset + yi]!;
    }
  }
}

/** Average pooling over contiguous NCHW. */
export function avgPool2d(x: View, out: View, p: Pool2dParams): void {
  const H = x.shape[2]!, W = x.shape[3]!;
  const xd = x.data, od = out.data;
  windows(x.shape, out.shape, p, (plane, yi, { hs, he, ws, we, divisor }) => {
    const base = x.offset + plane * H * W;
    let s = 0;
    for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) s += xd[base + h * W + w]!;
    od[out.offset + yi] = s / divisor;
  });
}

/** Spreads each output gradient evenly over its window. */
export function avgPool2dBackward(gy: View, gx: View, p: Pool2dParams): void {
  const [N, C, H, W] = gx.shape as [number, number, number, number];
  const gd = gx.data;
  const acc = new Float64Array(N * C * H * W);
  windows(gx.shape, gy.shape, p, (plane, yi, { hs, he, ws, we, divisor }) => {
    const g = gy.data[gy.offset + yi]! / divisor;
    const base = plane * H * W;
    for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) acc[base + h * W + w]! += g;
  });
  for (let i = 0; i < acc.length; i++) gd[gx.offset + i] = acc[i]!;
}
