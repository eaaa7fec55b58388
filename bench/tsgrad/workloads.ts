/**
 * Builds one tsgrad benchmark step from a workload spec: the network, its
 * optimizer (as issue 5 specifies) and the synthetic batch. Used by the
 * benchmark worker and by the correctness test against PyTorch.
 */
import * as tg from '../../src/index.js';
import type { WorkloadGroup, WorkloadSpec } from '../spec.js';
import type { InitFn } from './init.js';
import { crossEntropy, w2Net, w3Net, w4Net, w5Net, type BenchNet } from './models.js';
import { adam, sgd, sgdMomentum, type BenchOptimizer, type BenchOptimOptions } from './optim.js';

/** Learning rate of W4's SGD with momentum (issue 5 names only the momentum). */
export const W4_LR = 0.01;

/** The network of a training/inference workload group. */
export function netFor(group: WorkloadGroup, init: InitFn): BenchNet {
  switch (group) {
    case 'W2':
      return w2Net(init);
    case 'W3':
      return w3Net(init);
    case 'W4':
      return w4Net(init);
    case 'W5':
      return w5Net(init);
    default:
      throw new Error(`bench: ${group} has no network (W1 is a plain GEMM)`);
  }
}

/** The optimizer issue 5 names for each group. */
export function optimizerFor(group: WorkloadGroup, params: readonly tg.Tensor[], opts: BenchOptimOptions = {}): BenchOptimizer {
  switch (group) {
    case 'W2':
      return sgd(params, 1e-3, opts);
    case 'W3':
      return adam(params, 3e-4, 0.9, 0.999, 1e-8, opts);
    case 'W4':
      return sgdMomentum(params, W4_LR, 0.9, opts);
    case 'W5':
      return adam(params, 1e-4, 0.9, 0.999, 1e-8, opts);
    default:
      throw new Error(`bench: ${group} does not train`);
  }
}

/** Input shape of one batch of a group: [B, 3072] for the MLPs, [B, C, S, S] for the CNNs. */
export function inputShape(group: WorkloadGroup, batch: number, image: number): number[] {
  if (group === 'W2' || group === 'W3') return [batch, 3072];
  if (group === 'W4') return [batch, 1, image, image];
  return [batch, 3, image, image];
}

/**
 * One training step: forward, loss, backward, update. Returns the loss
 * (computed before the update). `beforeUpdate` sees the gradients (tests).
 */
export function trainStep(net: BenchNet, opt: BenchOptimizer, x: tg.Tensor, y: tg.Tensor, beforeUpdate?: () => void): tg.Tensor {
  const loss = crossEntropy(net.forward(x, true), y);
  loss.backward();
  beforeUpdate?.();
  opt.step();
  return loss;
}

/** The step function of a spec with seeded synthetic data: a GEMM, a training step or an inference batch. */
export function buildStep(spec: WorkloadSpec, init: InitFn, seed: number): () => void {
  const g = new tg.Generator(seed);
  if (spec.kind === 'gemm') {
    const a = tg.randn([spec.n, spec.n], { generator: g });
    const b = tg.randn([spec.n, spec.n], { generator: g });
    // Into a reused result, as the PyTorch worker does with torch.mm(a, b, out=c).
    const c = tg.zeros([spec.n, spec.n]);
    return () => void tg.matmul(a, b, { out: c });
  }
  const net = netFor(spec.group, init);
  const x = tg.rand(inputShape(spec.group, spec.batch, spec.image), { generator: g });
  if (spec.kind === 'infer') return () => void tg.noGrad(() => net.forward(x, false));
  const y = tg.randint(0, 10, [spec.batch, 1], { generator: g });
  const opt = optimizerFor(spec.group, net.params);
  return () => void trainStep(net, opt, x, y);
}
