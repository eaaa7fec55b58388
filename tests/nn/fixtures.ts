import { readFileSync } from 'node:fs';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { REPO_ROOT } from '../helpers.js';

/** A tensor as tools/gen_nn_fixtures.py writes it. */
export interface TJ {
  dtype?: 'float64' | 'int32' | 'bool';
  shape: number[];
  data: (number | boolean)[];
}

/** Reads tests/fixtures/nn/<name>. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${REPO_ROOT}tests/fixtures/nn/${name}`, 'utf8')) as T;
}

/** Rebuilds a fixture tensor; floats as `dtype` (float64 by default). */
export function T(j: TJ, dtype: 'float32' | 'float64' = 'float64'): tg.Tensor {
  const d = j.dtype === 'int32' || j.dtype === 'bool' ? j.dtype : dtype;
  return tg.tensor(j.data.map(Number), { dtype: d, shape: j.shape });
}

/** A fixture state dict as a Map of tensors. */
export function stateOf(s: Record<string, TJ>, dtype: 'float32' | 'float64' = 'float64'): Map<string, tg.Tensor> {
  return new Map(Object.entries(s).map(([k, v]) => [k, T(v, dtype)]));
}

/** Fixture constructor options (PyTorch-style values) as tsgrad layer options. */
export interface Ctor {
  type: string;
  args: unknown[];
  opts?: Record<string, unknown>;
}

/** Builds the layer a fixture describes. */
export function build(c: Ctor, dtype: 'float32' | 'float64', extra: Record<string, unknown> = {}): nn.Module {
  const o = { ...(c.opts ?? {}), ...extra, dtype };
  const a = c.args as never[];
  const ctors: Record<string, () => nn.Module> = {
    Linear: () => new nn.Linear(a[0], a[1], o),
    Conv2d: () => new nn.Conv2d(a[0], a[1], a[2], o),
    MaxPool2d: () => new nn.MaxPool2d(a[0], o as nn.PoolOptions),
    AvgPool2d: () => new nn.AvgPool2d(a[0], o as nn.PoolOptions),
    AdaptiveAvgPool2d: () => new nn.AdaptiveAvgPool2d(a[0]),
    AdaptiveMaxPool2d: () => new nn.AdaptiveMaxPool2d(a[0]),
    LayerNorm: () => new nn.LayerNorm(a[0], o),
    Conv1d: () => new nn.Conv1d(a[0], a[1], a[2], o),
    GroupNorm: () => new nn.GroupNorm(a[0], a[1], o),
    BatchNorm1d: () => new nn.BatchNorm1d(a[0], o),
    BatchNorm2d: () => new nn.BatchNorm2d(a[0], o),
    ReLU: () => new nn.ReLU(),
    LeakyReLU: () => new nn.LeakyReLU(a[0]),
    ELU: () => new nn.ELU(a[0]),
    Sigmoid: () => new nn.Sigmoid(),
    Tanh: () => new nn.Tanh(),
    Softplus: () => new nn.Softplus(),
    SiLU: () => new nn.SiLU(),
    GELU: () => new nn.GELU(a[0]),
    Softmax: () => new nn.Softmax(a[0]),
    LogSoftmax: () => new nn.LogSoftmax(a[0]),
    Flatten: () => new nn.Flatten(),
  };
  const f = ctors[c.type];
  if (!f) throw new Error(`fixture: unknown layer ${c.type}`);
  return f();
}
