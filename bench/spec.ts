/**
 * The benchmark workloads of issue 5, as data: every subject (tsgrad on each
 * backend, PyTorch, TensorFlow.js) receives one of these specs and builds the
 * same computation from it, so shapes live in one place.
 */

/** A workload group as the issue names it. */
export type WorkloadGroup = 'W1' | 'W2' | 'W3' | 'W4' | 'W5';

/** What one timed step does: one GEMM, one training step, or one inference batch. */
export type WorkloadKind = 'gemm' | 'train' | 'infer';

/** One benchmark cell's computation, sent verbatim to every worker. */
export interface WorkloadSpec {
  /** Row name in the table: 'W1 n=256', 'W2', 'W5 train', ... */
  readonly id: string;
  readonly group: WorkloadGroup;
  readonly kind: WorkloadKind;
  /** One line saying what a step is. */
  readonly title: string;
  /** GEMM size (W1 only). */
  readonly n: number;
  /** Samples per step (1 for W1). */
  readonly batch: number;
  /** Image side (W4: 28, W5: 32); 0 for the MLPs. */
  readonly image: number;
  /** Multiply-add FLOPs of one step in dense layers / GEMMs (training counts forward + 2 backward GEMMs). */
  readonly denseFlops: number;
  /** FLOPs of one step in convolutions. */
  readonly convFlops: number;
  /** Unit of the figure: GFLOP/s for W1, samples/s otherwise. */
  readonly metric: 'GFLOP/s' | 'samples/s';
}

/** FLOPs of x[batch, fin] @ w[fin, fout]. */
function denseF(batch: number, fin: number, fout: number): number {
  return 2 * batch * fin * fout;
}

/** FLOPs of a convolution producing [batch, cout, oh, ow] from cin channels with a k×k kernel. */
function convF(batch: number, cin: number, cout: number, k: number, oh: number): number {
  return 2 * batch * cout * oh * oh * cin * k * k;
}

/** Forward FLOPs of an MLP with the given layer widths. */
function mlpF(batch: number, dims: readonly number[]): number {
  let f = 0;
  for (let i = 0; i + 1 < dims.length; i++) f += denseF(batch, dims[i]!, dims[i + 1]!);
  return f;
}

/** Layer widths of W2 and W3. */
export const W2_DIMS = [3072, 100, 10] as const;
export const W3_DIMS = [3072, 600, 600, 200, 10] as const;

/** Conv FLOPs of one W4 forward pass. */
function w4Conv(batch: number): number {
  return convF(batch, 1, 32, 3, 28) + convF(batch, 32, 64, 3, 14);
}

/** Conv FLOPs of one W5 forward pass at image side s (the table of issue 5). */
function w5Conv(batch: number, s: number): number {
  const half = (v: number): number => Math.floor((v + 2 - 3) / 2) + 1;
  let f = convF(batch, 3, 64, 3, s) + convF(batch, 64, 64, 3, s) + convF(batch, 64, 128, 1, s);
  let h = half(s);
  f += 2 * convF(batch, 128, 128, 3, h) + convF(batch, 128, 256, 1, h);
  h = half(h);
  f += 2 * convF(batch, 256, 256, 3, h) + convF(batch, 256, 512, 1, h);
  h = half(h);
  f += 2 * convF(batch, 512, 512, 3, h);
  h = half(h);
  f += 2 * convF(batch, 512, 512, 3, h);
  return f;
}

/** GEMM sizes of W1. */
export const GEMM_SIZES = [256, 512, 1024, 2048] as const;

/** Every benchmark cell, in table order. Training steps count 3× the forward FLOPs (forward, input and weight gradients). */
export function allWorkloads(): WorkloadSpec[] {
  const out: WorkloadSpec[] = GEMM_SIZES.map((n) => ({
    id: `W1 n=${n}`, group: 'W1', kind: 'gemm', title: `GEMM ${n}×${n} @ ${n}×${n}, float32`,
    n, batch: 1, image: 0, denseFlops: 2 * n ** 3, convFlops: 0, metric: 'GFLOP/s',
  }));
  out.push({
    id: 'W2', group: 'W2', kind: 'train', title: 'MLP 3072→100→ELU→10, softmax CE, SGD lr 1e-3, batch 200',
    n: 0, batch: 200, image: 0, denseFlops: 3 * mlpF(200, W2_DIMS), convFlops: 0, metric: 'samples/s',
  });
  out.push({
    id: 'W3', group: 'W3', kind: 'train', title: 'MLP 3072→600→600→200→10 ELU, softmax CE, Adam 3e-4, batch 400',
    n: 0, batch: 400, image: 0, denseFlops: 3 * mlpF(400, W3_DIMS), convFlops: 0, metric: 'samples/s',
  });
  out.push({
    id: 'W4', group: 'W4', kind: 'train', title: 'CNN 28×28×1 (2 conv, 2 pool, 2 linear), SGD momentum 0.9, batch 64',
    n: 0, batch: 64, image: 28, denseFlops: 3 * mlpF(64, [3136, 128, 10]), convFlops: 3 * w4Conv(64), metric: 'samples/s',
  });
  out.push({
    id: 'W5 train', group: 'W5', kind: 'train', title: 'pre-activation VGG 32×32×3, BatchNorm (batch stats), Adam 1e-4, batch 32',
    n: 0, batch: 32, image: 32, denseFlops: 3 * denseF(32, 512, 10), convFlops: 3 * w5Conv(32, 32), metric: 'samples/s',
  });
  out.push({
    id: 'W5 infer', group: 'W5', kind: 'infer', title: 'pre-activation VGG 32×32×3, inference (BatchNorm with running stats), batch 256',
    n: 0, batch: 256, image: 32, denseFlops: denseF(256, 512, 10), convFlops: w5Conv(256, 32), metric: 'samples/s',
  });
  return out;
}

/** The figure of a cell from its median step time in seconds. */
export function figureOf(spec: WorkloadSpec, stepSeconds: number): number {
  return spec.metric === 'GFLOP/s' ? spec.denseFlops / stepSeconds / 1e9 : spec.batch / stepSeconds;
}
