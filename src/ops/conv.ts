import { isFloat } from '../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import type { Conv2dParams, Pool2dParams } from '../backend/backend.js';
import { record } from '../tensor/tape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sum } from './broadcast.js';
import { div } from './elementwise.js';
import { reshape } from './shape.js';
import { be, contiguousRaw, empty } from './util.js';

/** A size given once for both spatial dims or as [h, w]. */
export type Size2 = number | readonly [number, number];

function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) throw new ShapeError(`${op}: ${name} must be integers >= ${min}, got ${JSON.stringify(v)}`);
  return p;
}

/** Options of conv2d. */
export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  groups?: number;
}

function outSize(op: string, inSize: number, k: number, s: number, p: number, d: number, x: Tensor, kernelShape: string): number {
  const o = Math.floor((inSize + 2 * p - d * (k - 1) - 1) / s) + 1;
  if (o < 1) {
    throw new ShapeError(`${op}: input ${fmtShape(x.shape)} is too small for kernel ${kernelShape} with padding ${p}, stride ${s}, dilation ${d}: output size would be ${o}`);
  }
  return o;
}

function check4d(op: string, x: Tensor): void {
  if (x.ndim !== 4) throw new ShapeError(`${op}: expected a 4-d input [N, C, H, W], got ${fmtShape(x.shape)}`);
}

/** 2-d convolution (cross-correlation) of x [N,C,H,W] with w [O,C/groups,KH,KW], plus optional bias [O]. */
export function conv2d(x: Tensor, w: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  check4d('conv2d', x);
  if (w.ndim !== 4) throw new ShapeError(`conv2d: weight must be 4-d [out, in/groups, kh, kw], got ${fmtShape(w.shape)}`);
  if (x.dtype !== w.dtype) throw new DTypeError(`conv2d: input is ${x.dtype} but weight is ${w.dtype}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`conv2d: expected float32 or float64 input and weight, got ${x.dtype}`);
  const groups = opts.groups ?? 1;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, KH, KW] = w.shape as [number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || O % groups !== 0) {
    throw new ShapeError(`conv2d: groups=${groups} must divide input channels ${C} and output channels ${O}`);
  }
  if (Cg * groups !== C) {
    throw new ShapeError(`conv2d: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(w.shape)} expects ${Cg * groups} (${Cg} per group × ${groups} groups)`);
  }
  const p: Conv2dParams = {
    stride: pair('conv2d', 'stride', opts.stride ?? 1, 1),
    padding: pair('conv2d', 'padding', opts.padding ?? 0, 0),
    dilation: pair('conv2d', 'dilation', opts.dilation ?? 1, 1),
    groups,
  };
  const ks = `${KH}x${KW}`;
  const OH = outSize('conv2d', H, KH, p.stride[0], p.padding[0], p.dilation[0], x, ks);
  const OW = outSize('conv2d', W, KW, p.stride[1], p.padding[1], p.dilation[1], x, ks);
  if (bias) {
    if (bias.ndim !== 1 || bias.shape[0] !== O) throw new ShapeError(`conv2d: bias must be [${O}], got ${fmtShape(bias.shape)}`);
    if (bias.dtype !== x.dtype) throw new DTypeError(`conv2d: input is ${x.dtype} but bias is ${bias.dtype}`);
  }
  const xc = contiguousRaw(x);
  const wc = contiguousRaw(w);
  const out = empty([N, O, OH, OW], x.dtype);
  // The bias is added by the kernel while the output is in cache: one pass less than an add op.
  be().conv2d(xc, wc, out, p, bias ?? null);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record('conv2d', out, inputs, (g, need) => {
    const gc = contiguousRaw(g);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    let gb: Tensor | null = null;
    if (need[0]) {
      gx = empty(x.shape, g.dtype);
      be().conv2dBackwardInput(gc, wc, gx, p);
    }
    if (need[1]) {
      gw = empty(w.shape, g.dtype);
      be().conv2dBackwardWeight(xc, gc, gw, p);
    }
    if (need[2]) {
      gb = empty([1, O, 1, 1], g.dtype);
      be().reduce('sum', gc, [0, 2, 3], gb);
      gb = reshape(gb, [O]);
    }
    return bias ? [gx, gw, gb] : [gx, gw];
  }, [x, w]);
}

/** Options of the pooling ops. */
export interface Pool2dOptions {
  /** Defaults to the kernel size. */
  stride?: Size2;
  padding?: Size2;
  /** avgPool2d only: include padded zeros in the average (default true, like PyTorch). */
  countIncludePad?: boolean;
}

function poolParams(op: string, x: Tensor, kernel: Size2, opts: Pool2dOptions): { p: Pool2dParams; shape: number[] } {
  check4d(op, x);
  const k = pair(op, 'kernel', kernel, 1);
  const s = pair(op, 'stride', opts.stride ?? k, 1);
  const pad = pair(op, 'padding', opts.padding ?? 0, 0);
  if (pad[0] * 2 > k[0] || pad[1] * 2 > k[1]) throw new ShapeError(`${op}: padding ${JSON.stringify(pad)} must be at most half the kernel ${JSON.stringify(k)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const ks = `${k[0]}x${k[1]}`;
  const OH = outSize(op, H, k[0], s[0], pad[0], 1, x, ks);
  const OW = outSize(op, W, k[1], s[1], pad[1], 1, x, ks);
  return { p: { kernel: k, stride: s, padding: pad, countIncludePad: opts.countIncludePad ?? true }, shape: [N, C, OH, OW] };
}

/** Max over each kernel window of x [N,C,H,W] (padding counts as -inf). */
export function maxPool2d(x: Tensor, kernel: Size2, opts: Pool2dOptions = {}): Tensor {
  const { p, shape } = poolParams('maxPool2d', x, kernel, opts);
  const xc = contiguousRaw(x);
  const out = empty(shape, x.dtype);
  const idx = empty(shape, 'int32');
  be().maxPool2d(xc, out, idx, p);
  return record('maxPool2d', out, [x], (g) => {
    const gx = empty(x.shape, g.dtype);
    be().maxPool2dBackward(contiguousRaw(g), idx, gx, p);
    return [gx];
  });
}

/** Mean over each kernel window of x [N,C,H,W]. */
export function avgPool2d(x: Tensor, kernel: Size2, opts: Pool2dOptions = {}): Tensor {
  const { p, shape } = poolParams('avgPool2d', x, kernel, opts);
  const out = empty(shape, x.dtype);
  be().avgPool2d(contiguousRaw(x), out, p);
  return record('avgPool2d', out, [x], (g) => {
    const gx = empty(x.shape, g.dtype);
    be().avgPool2dBackward(contiguousRaw(g), gx, p);
    return [gx];
  });
}

/** Average over the whole spatial extent to an output of 1×1 (the common case of adaptive pooling). */
export function globalAvgPool2d(x: Tensor): Tensor {
  check4d('globalAvgPool2d', x);
  const hw = x.shape[2]! * x.shape[3]!;
  return div(sum(x, [2, 3], true), hw);
}
