/**
 * The workloads of issue 5 written with tsgrad's functional API only
 * (linear, conv2d, maxPool2d, elu/relu, logSoftmax, gather), so that the
 * work of a step is exactly the workload's and nothing else. Parameters are
 * plain leaf tensors that require grad, listed in a fixed order that
 * bench/make_check_fixtures.py mirrors.
 */
import * as tg from '../../src/index.js';
import { W2_DIMS, W3_DIMS } from '../spec.js';
import type { InitFn, ParamKind } from './init.js';

/** A model: named parameters and a forward pass (train: BatchNorm uses batch statistics). */
export interface BenchNet {
  readonly names: readonly string[];
  readonly params: readonly tg.Tensor[];
  forward(x: tg.Tensor, train: boolean): tg.Tensor;
}

/** Collects parameters in creation order, so the index given to the initialiser is the list position. */
class ParamList {
  readonly names: string[] = [];
  readonly params: tg.Tensor[] = [];
  constructor(private readonly init: InitFn) {}

  add(name: string, shape: readonly number[], kind: ParamKind, fanIn: number): tg.Tensor {
    const t = this.init(this.params.length, shape, kind, fanIn);
    this.names.push(name);
    this.params.push(t);
    return t;
  }

  linear(name: string, fin: number, fout: number): [tg.Tensor, tg.Tensor] {
    return [this.add(`${name}.weight`, [fout, fin], 'weight', fin), this.add(`${name}.bias`, [fout], 'bias', fin)];
  }

  conv(name: string, cin: number, cout: number, k: number): [tg.Tensor, tg.Tensor] {
    const fanIn = cin * k * k;
    return [this.add(`${name}.weight`, [cout, cin, k, k], 'weight', fanIn), this.add(`${name}.bias`, [cout], 'bias', fanIn)];
  }

  bn(name: string, c: number): BatchNormState {
    const [weight, bias] = [this.add(`${name}.weight`, [c], 'bnWeight', c), this.add(`${name}.bias`, [c], 'bnBias', c)];
    return { weight, bias, runningMean: tg.zeros([c]), runningVar: tg.ones([c]) };
  }
}

/** Mean softmax cross-entropy of logits [B, K] against int32 labels [B, 1]. */
export function crossEntropy(logits: tg.Tensor, labels: tg.Tensor): tg.Tensor {
  return tg.neg(tg.mean(tg.gather(tg.logSoftmax(logits, 1), 1, labels)));
}

/** MLP with ELU between layers (W2: 3072→100→10, W3: 3072→600→600→200→10). */
export function mlp(dims: readonly number[], init: InitFn): BenchNet {
  const p = new ParamList(init);
  const layers: [tg.Tensor, tg.Tensor][] = [];
  for (let i = 0; i + 1 < dims.length; i++) layers.push(p.linear(`fc${i}`, dims[i]!, dims[i + 1]!));
  return {
    names: p.names,
    params: p.params,
    forward(x) {
      let h = x;
      layers.forEach(([w, b], i) => {
        h = tg.linear(h, w, b);
        if (i + 1 < layers.length) h = tg.elu(h);
      });
      return h;
    },
  };
}

/** W2's network. */
export const w2Net = (init: InitFn): BenchNet => mlp(W2_DIMS, init);
/** W3's network. */
export const w3Net = (init: InitFn): BenchNet => mlp(W3_DIMS, init);

/** W4: conv3×3 1→32 pad 1, ReLU, maxpool 2, conv3×3 32→64 pad 1, ReLU, maxpool 2, Linear 3136→128, ReLU, Linear 128→10 (input [B,1,28,28]). */
export function w4Net(init: InitFn): BenchNet {
  const p = new ParamList(init);
  const [c1w, c1b] = p.conv('conv1', 1, 32, 3);
  const [c2w, c2b] = p.conv('conv2', 32, 64, 3);
  const [f1w, f1b] = p.linear('fc1', 3136, 128);
  const [f2w, f2b] = p.linear('fc2', 128, 10);
  return {
    names: p.names,
    params: p.params,
    forward(x) {
      let h = tg.maxPool2d(tg.relu(tg.conv2d(x, c1w, c1b, { padding: 1 })), 2);
      h = tg.maxPool2d(tg.relu(tg.conv2d(h, c2w, c2b, { padding: 1 })), 2);
      h = tg.relu(tg.linear(tg.flatten(h, 1), f1w, f1b));
      return tg.linear(h, f2w, f2b);
    },
  };
}

/** BatchNorm's epsilon (PyTorch's default). */
export const BN_EPS = 1e-5;

/** A BatchNorm layer's parameters and running statistics (not parameters: never optimised). */
type BatchNormState = { weight: tg.Tensor; bias: tg.Tensor; runningMean: tg.Tensor; runningVar: tg.Tensor };

/**
 * BatchNorm over [N, C, H, W] with tsgrad's functional batchNorm, as nn.BatchNorm2d
 * runs it. Training: normalise with the batch's mean and biased variance over
 * (N, H, W) and update the running statistics (momentum 0.1), as PyTorch does.
 * Inference: the running statistics, those of a fresh layer (mean 0, variance 1)
 * in the inference cell.
 */
export function batchNorm2d(x: tg.Tensor, bn: BatchNormState, train: boolean): tg.Tensor {
  return tg.nn.functional.batchNorm(x, bn.runningMean, bn.runningVar, bn.weight, bn.bias, { training: train, momentum: 0.1, eps: BN_EPS });
}

/**
 * W5: the pre-activation VGG ConvNet of issue 5 (input [B,3,S,S]; S = 32 in
 * the benchmark). A PreAct block is x + conv3×3(ReLU(BatchNorm(x))).
 */
export function w5Net(init: InitFn): BenchNet {
  const p = new ParamList(init);
  type Block = { bn: BatchNormState; conv: [tg.Tensor, tg.Tensor] };
  const preact = (name: string, c: number): Block => ({ bn: p.bn(`${name}.bn`, c), conv: p.conv(`${name}.conv`, c, c, 3) });
  const conv0 = p.conv('conv0', 3, 64, 3);
  const pre1 = preact('pre1', 64);
  const conv1 = p.conv('conv1', 64, 128, 1);
  const pre2 = [preact('pre2a', 128), preact('pre2b', 128)];
  const conv2 = p.conv('conv2', 128, 256, 1);
  const pre3 = [preact('pre3a', 256), preact('pre3b', 256)];
  const conv3 = p.conv('conv3', 256, 512, 1);
  const pre4 = [preact('pre4a', 512), preact('pre4b', 512)];
  const pre5 = [preact('pre5a', 512), preact('pre5b', 512)];
  const bn = p.bn('bn', 512);
  const fc = p.linear('fc', 512, 10);
  const pool = (h: tg.Tensor): tg.Tensor => tg.maxPool2d(h, 3, { stride: 2, padding: 1 });
  return {
    names: p.names,
    params: p.params,
    forward(x, train) {
      const block = (h: tg.Tensor, blk: Block): tg.Tensor =>
        tg.add(h, tg.conv2d(tg.relu(batchNorm2d(h, blk.bn, train)), blk.conv[0], blk.conv[1], { padding: 1 }));
      let h = tg.conv2d(x, conv0[0], conv0[1], { padding: 1 });
      h = block(h, pre1);
      h = pool(tg.conv2d(h, conv1[0], conv1[1]));
      for (const b of pre2) h = block(h, b);
      h = pool(tg.conv2d(h, conv2[0], conv2[1]));
      for (const b of pre3) h = block(h, b);
      h = pool(tg.conv2d(h, conv3[0], conv3[1]));
      for (const b of pre4) h = block(h, b);
      h = pool(h);
      for (const b of pre5) h = block(h, b);
      h = pool(h);
      h = tg.relu(batchNorm2d(h, bn, train));
      return tg.linear(tg.flatten(h, 1), fc[0], fc[1]);
    },
  };
}
