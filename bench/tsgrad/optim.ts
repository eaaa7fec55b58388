/**
 * Hand-written optimizer updates for the benchmark, following PyTorch 1.13's
 * single-tensor formulas (so the correctness check can compare trajectories).
 * Where the backend has the optional fused kernels (Backend.adamStep /
 * sgdStep, which tsgrad's own optimizers use), each parameter is updated by
 * one kernel call; otherwise by in-place tensor ops inside noGrad. Each step
 * drops the gradients afterwards (PyTorch's zero_grad(set_to_none=True)).
 */
import * as tg from '../../src/index.js';

/** An optimizer over a fixed list of parameters. */
export interface BenchOptimizer {
  /** Applies one update from the parameters' .grad and clears them. */
  step(): void;
}

/** Options shared by the bench optimizers. */
export interface BenchOptimOptions {
  /** Use the backend's fused update kernel when it has one (default true). */
  fused?: boolean;
}

function gradOf(p: tg.Tensor, i: number): tg.Tensor {
  if (!p.grad) throw new Error(`bench optimizer: parameter ${i} of shape [${p.shape.join(', ')}] has no gradient; was backward() called?`);
  return p.grad;
}

/** Records an in-place write made by a kernel behind autograd's back. */
function touched(p: tg.Tensor): void {
  p._version.value++;
}

const contiguous = (...ts: tg.Tensor[]): boolean => ts.every((t) => t.isContiguous());

function sgdLike(params: readonly tg.Tensor[], lr: number, momentum: number, opts: BenchOptimOptions): BenchOptimizer {
  const bufs: (tg.Tensor | null)[] = params.map(() => null);
  const fused = opts.fused ?? true;
  const update = (p: tg.Tensor, i: number): void => {
    const g = gradOf(p, i);
    const be = tg.getBackend();
    if (fused && be.sgdStep && contiguous(p, g)) {
      const firstStep = momentum !== 0 && !bufs[i];
      if (firstStep) bufs[i] = tg.zerosLike(p);
      const p_ = { lr, momentum, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, firstStep };
      if (be.sgdStep(p, g, bufs[i] ?? null, p_)) return touched(p);
      if (firstStep) bufs[i] = null;
    }
    if (momentum === 0) {
      p.add_(g, -lr);
      return;
    }
    let buf = bufs[i];
    if (!buf) buf = bufs[i] = tg.clone(g);
    else buf.mul_(momentum).add_(g);
    p.add_(buf, -lr);
  };
  return {
    step() {
      tg.noGrad(() => params.forEach(update));
      for (const p of params) p.grad = null;
    },
  };
}

/** Plain SGD: p -= lr·g. */
export function sgd(params: readonly tg.Tensor[], lr: number, opts: BenchOptimOptions = {}): BenchOptimizer {
  return sgdLike(params, lr, 0, opts);
}

/** SGD with momentum (no dampening): buf = m·buf + g (buf = g on the first step); p -= lr·buf. */
export function sgdMomentum(params: readonly tg.Tensor[], lr: number, momentum: number, opts: BenchOptimOptions = {}): BenchOptimizer {
  return sgdLike(params, lr, momentum, opts);
}

/**
 * Adam: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps).
 */
export function adam(params: readonly tg.Tensor[], lr: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, opts: BenchOptimOptions = {}): BenchOptimizer {
  const m = params.map((p) => tg.zerosLike(p));
  const v = params.map((p) => tg.zerosLike(p));
  const fused = opts.fused ?? true;
  let t = 0;
  return {
    step() {
      t++;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      const hyper = { lr, beta1, beta2, eps, weightDecay: 0, decoupled: false, maximize: false, stepSize, bc2Sqrt };
      const be = tg.getBackend();
      tg.noGrad(() =>
        params.forEach((p, i) => {
          const g = gradOf(p, i);
          if (fused && be.adamStep && contiguous(p, g) && be.adamStep(p, g, m[i]!, v[i]!, null, hyper)) return touched(p);
          m[i]!.mul_(beta1).add_(g, 1 - beta1);
          v[i]!.mul_(beta2).addcmul_(g, g, 1 - beta2);
          const denom = tg.sqrt(v[i]!).div_(bc2Sqrt).add_(eps);
          p.addcdiv_(m[i]!, denom, -stepSize);
        }),
      );
      for (const p of params) p.grad = null;
    },
  };
}
