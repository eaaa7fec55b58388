/**
 * The benchmark workloads in TensorFlow.js's own idiom (NHWC images, tf.train optimizers,
 * tf.moments + tf.batchNorm), so the peer runs its usual, best path. Shared by the Node worker
 * (worker.ts) and the browser benchmark page (bench/browser/page.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { W2_DIMS, W3_DIMS, type WorkloadSpec } from '../spec.js';

/** Uniform ±1/sqrt(fanIn) variable (PyTorch's default bounds, as the other subjects use). */
function uniformVar(shape: number[], fanIn: number, seed: number): tf.Variable {
  const b = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -b, b, 'float32', seed));
}

type Forward = (x: tf.Tensor, train: boolean) => tf.Tensor;

/** Dense layers with ELU between them; weights [in, out] as tfjs stores them. */
function mlp(dims: readonly number[], seed: number): Forward {
  const layers: [tf.Variable, tf.Variable][] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    layers.push([uniformVar([dims[i]!, dims[i + 1]!], dims[i]!, seed + 2 * i), uniformVar([dims[i + 1]!], dims[i]!, seed + 2 * i + 1)]);
  }
  return (x) => {
    let h = x;
    layers.forEach(([w, b], i) => {
      h = tf.add(tf.matMul(h, w), b);
      if (i + 1 < layers.length) h = tf.elu(h);
    });
    return h;
  };
}

/** conv [k,k,cin,cout] + bias, 'same' padding for 3×3 (= padding 1), none for 1×1. */
function convLayer(cin: number, cout: number, k: number, seed: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const w = uniformVar([k, k, cin, cout], cin * k * k, seed);
  const b = uniformVar([cout], cin * k * k, seed + 1);
  return (x) => tf.add(tf.conv2d(x, w as tf.Tensor4D, 1, k === 1 ? 'valid' : 'same'), b);
}

/** W4's CNN on NHWC input. */
function w4(seed: number): Forward {
  const c1 = convLayer(1, 32, 3, seed);
  const c2 = convLayer(32, 64, 3, seed + 2);
  const fc = mlp([3136, 128], seed + 4);
  const out = mlp([128, 10], seed + 6);
  return (x) => {
    let h = tf.maxPool(tf.relu(c1(x as tf.Tensor4D)), 2, 2, 'valid');
    h = tf.maxPool(tf.relu(c2(h)), 2, 2, 'valid');
    return out(tf.relu(fc(tf.reshape(h, [h.shape[0], -1]), true)), true);
  };
}

/** BatchNorm over NHWC with batch statistics (train) or fresh running statistics (inference). */
function bnLayer(c: number): (x: tf.Tensor4D, train: boolean) => tf.Tensor4D {
  const gamma = tf.variable(tf.ones([c])) as tf.Variable<tf.Rank.R1>;
  const beta = tf.variable(tf.zeros([c])) as tf.Variable<tf.Rank.R1>;
  const zeros = tf.zeros([c]) as tf.Tensor1D;
  const ones = tf.ones([c]) as tf.Tensor1D;
  return (x, train) => {
    if (!train) return tf.batchNorm4d(x, zeros, ones, beta, gamma, 1e-5);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, 1e-5);
  };
}

/** W5's pre-activation VGG on NHWC input. */
function w5(seed: number): Forward {
  let s = seed;
  const conv = (cin: number, cout: number, k: number): ((x: tf.Tensor4D) => tf.Tensor4D) => convLayer(cin, cout, k, (s += 2));
  const preact = (c: number): ((x: tf.Tensor4D, train: boolean) => tf.Tensor4D) => {
    const bn = bnLayer(c);
    const cv = conv(c, c, 3);
    return (x, train) => tf.add(x, cv(tf.relu(bn(x, train))));
  };
  const pool = (x: tf.Tensor4D): tf.Tensor4D => tf.maxPool(x, 3, 2, 1);
  const conv0 = conv(3, 64, 3);
  const pre1 = preact(64);
  const conv1 = conv(64, 128, 1);
  const pre2 = [preact(128), preact(128)];
  const conv2 = conv(128, 256, 1);
  const pre3 = [preact(256), preact(256)];
  const conv3 = conv(256, 512, 1);
  const pre4 = [preact(512), preact(512)];
  const pre5 = [preact(512), preact(512)];
  const bn = bnLayer(512);
  const fc = mlp([512, 10], (s += 2));
  return (x, train) => {
    let h = pre1(conv0(x as tf.Tensor4D), train);
    h = pool(conv1(h));
    for (const b of pre2) h = b(h, train);
    h = pool(conv2(h));
    for (const b of pre3) h = b(h, train);
    h = pool(conv3(h));
    for (const b of pre4) h = b(h, train);
    h = pool(h);
    for (const b of pre5) h = b(h, train);
    h = pool(h);
    h = tf.relu(bn(h, train));
    return fc(tf.reshape(h, [h.shape[0], -1]), train);
  };
}

function optimizerFor(spec: WorkloadSpec): tf.Optimizer {
  if (spec.group === 'W2') return tf.train.sgd(1e-3);
  if (spec.group === 'W3') return tf.train.adam(3e-4, 0.9, 0.999, 1e-8);
  if (spec.group === 'W4') return tf.train.momentum(0.01, 0.9);
  return tf.train.adam(1e-4, 0.9, 0.999, 1e-8);
}

/** One timed step of `spec` on the current tfjs backend (also run in browser pages by bench/browser). */
export function build(spec: WorkloadSpec, seed: number): () => void {
  if (spec.kind === 'gemm') {
    const a = tf.randomNormal([spec.n, spec.n], 0, 1, 'float32', seed);
    const b = tf.randomNormal([spec.n, spec.n], 0, 1, 'float32', seed + 1);
    return () => tf.matMul(a, b).dispose();
  }
  const forward = spec.group === 'W2' ? mlp(W2_DIMS, seed) : spec.group === 'W3' ? mlp(W3_DIMS, seed) : spec.group === 'W4' ? w4(seed) : w5(seed);
  const shape = spec.group === 'W4' ? [spec.batch, spec.image, spec.image, 1] : spec.group === 'W5' ? [spec.batch, spec.image, spec.image, 3] : [spec.batch, 3072];
  const x = tf.randomUniform(shape, 0, 1, 'float32', seed + 100);
  if (spec.kind === 'infer') return () => tf.tidy(() => forward(x, false)).dispose();
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: spec.batch }, (_, i) => (i * 7 + seed) % 10), 'int32'), 10);
  const opt = optimizerFor(spec);
  return () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward(x, true)) as tf.Scalar, true);
    loss?.dispose();
  };
}
