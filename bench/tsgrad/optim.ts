/**
 * Hand-written optimizer updates for the benchmark, in place inside noGrad,
 * following PyTorch 1.13's single-tensor formulas step by step (so the
 * correctness check can compare trajectories). Each step drops the
 * gradients afterwards (PyTorch's zero_grad(set_to_none=True)).
 */
import * as tg from '../../src/index.js';

/** An optimizer over a fixed list of parameters. */
export interface BenchOptimizer {
  /** Applies one update from the parameters' .grad and clears them. */
  step(): void;
}

function gradOf(p: tg.Tensor, i: number): tg.Tensor {
  if (!p.grad) throw new Error(`bench optimizer: parameter ${i} of shape [${p.shape.join(', ')}] has no gradient; was backward() called?`);
  return p.grad;
}

/** Plain SGD: p -= lr·g. */
export function sgd(params: readonly tg.Tensor[], lr: number): BenchOptimizer {
  return {
    step() {
      tg.noGrad(() => params.forEach((p, i) => p.add_(gradOf(p, i), -lr)));
      for (const p of params) p.grad = null;
    },
  };
}

/** SGD with momentum (no dampening): buf = m·buf + g (buf = g on the first step); p -= lr·buf. */
export function sgdMomentum(params: readonly tg.Tensor[], lr: number, momentum: number): BenchOptimizer {
  const bufs: (tg.Tensor | null)[] = params.map(() => null);
  return {
    step() {
      tg.noGrad(() =>
        params.forEach((p, i) => {
          const g = gradOf(p, i);
          let buf = bufs[i];
          if (!buf) buf = bufs[i] = tg.clone(g);
          else buf.mul_(momentum).add_(g);
          p.add_(buf, -lr);
        }),
      );
      for (const p of params) p.grad = null;
    },
  };
}

/**
 * Adam: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
 * p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps).
 */
export function adam(params: readonly tg.Tensor[], lr: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): BenchOptimizer {
  const m = params.map((p) => tg.zerosLike(p));
  const v = params.map((p) => tg.zerosLike(p));
  let t = 0;
  return {
    step() {
      t++;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      tg.noGrad(() =>
        params.forEach((p, i) => {
          const g = gradOf(p, i);
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
