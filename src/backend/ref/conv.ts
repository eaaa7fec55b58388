import type { Conv2dParams, View } from '../backend.js';

interface Geometry {
  N: number; C: number; H: number; W: number;
  O: number; KH: number; KW: number; OH: number; OW: number;
  cpg: number; opg: number;
}

function geometry(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], p: Conv2dParams): Geometry {
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [O, , KH, KW] = wShape as [number, number, number, number];
  const [, , OH, OW] = yShape as [number, number, number, number];
  return { N, C, H, W, O, KH, KW, OH, OW, cpg: C / p.groups, opg: O / p.groups };
}

/**
 * Visits every (input element, weight element, output element) triple of a
 * convolution: the one definition that forward and both backward passes share.
 */
function visit(g: Geometry, p: Conv2dParams, f: (xi: number, wi: number, yi: number) => void): void {
  const [sh, sw] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  for (let n = 0; n < g.N; n++) {
    for (let o = 0; o < g.O; o++) {
      const grp = Math.floor(o / g.opg);
      for (let oh = 0; oh < g.OH; oh++) {
        for (let ow = 0; ow < g.OW; ow++) {
          const yi = ((n * g.O + o) * g.OH + oh) * g.OW + ow;
          for (let cl = 0; cl < g.cpg; cl++) {
            const c = grp * g.cpg + cl;
            for (let kh = 0; kh < g.KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= g.H) continue;
              for (let kw = 0; kw < g.KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= g.W) continue;
                f(((n * g.C + c) * g.H + ih) * g.W + iw, ((o * g.cpg + cl) * g.KH + kh) * g.KW + kw, yi);
              }
            }
          }
        }
      }
    }
  }
}

/** Direct convolution (cross-correlation, as in PyTorch), contiguous NCHW, plus an optional bias [O]. */
export function conv2d(x: View, w: View, out: View, p: Conv2dParams, bias: View | null = null): void {
  const g = geometry(x.shape, w.shape, out.shape, p);
  const acc = new Float64Array(g.N * g.O * g.OH * g.OW);
  const xd = x.data, wd = w.data;
  visit(g, p, (xi, wi, yi) => { acc[yi]! += xd[x.offset + xi]! * wd[w.offset + wi]!; });
  const od = out.data;
  for (let i = 0; i < acc.length; i++) od[out.offset + i] = acc[i]!;
  if (!bias) return;
  // Added after the store, so the sum is rounded as a separate add op would round it.
  const plane = g.OH * g.OW;
  for (let i = 0; i < acc.length; i++) od[out.offset + i] = od[out.offset + i]! + bias.data[bias.offset + (Math.floor(i / plane) % g.O) * bias.strides[0]!]!;
}

/** dL/dx of conv2d. */
export function conv2dBackwardInput(gy: View, w: View, gx: View, p: Conv2dParams): void {
  const g = geometry(gx.shape, w.shape, gy.shape, p);
  const acc = new Float64Array(g.N * g.C * g.H * g.W);
  const gyd = gy.data, wd = w.data;
  visit(g, p, (xi, wi, yi) => { acc[xi]! += gyd[gy.offset + yi]! * wd[w.offset + wi]!; });
  const od = gx.data;
  for (let i = 0; i < acc.length; i++) od[gx.offset + i] = acc[i]!;
}

/** dL/dw of conv2d. */
export function conv2dBackwardWeight(x: View, gy: View, gw: View, p: Conv2dParams): void {
  const g = geometry(x.shape, gw.shape, gy.shape, p);
  const acc = new Float64Array(g.O * g.cpg * g.KH * g.KW);
  const xd = x.data, gyd = gy.data;
  visit(g, p, (xi, wi, yi) => { acc[wi]! += xd[x.offset + xi]! * gyd[gy.offset + yi]!; });
  const od = gw.data;
  for (let i = 0; i < acc.length; i++) od[gw.offset + i] = acc[i]!;
}
