import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import type { Tensor } from '../tensor/tensor.js';

/** Optimizer recipes of `tsgrad train`: 'momentum' is SGD with momentum 0.9. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Learning rate used when --lr is not given. */
export const DEFAULT_LR: Record<OptimizerName, number> = { sgd: 0.1, momentum: 0.01, rmsprop: 0.001, adam: 0.001 };

/** Builds the optimizer a recipe names. */
export function makeOptimizer(name: OptimizerName, params: Iterable<Tensor>, lr: number, weightDecay: number): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD(params, { lr, weightDecay }) as unknown as Optimizer;
    case 'momentum':
      return new SGD(params, { lr, momentum: 0.9, weightDecay }) as unknown as Optimizer;
    case 'rmsprop':
      return new RMSprop(params, { lr, weightDecay }) as unknown as Optimizer;
    case 'adam':
      return new Adam(params, { lr, weightDecay }) as unknown as Optimizer;
    default:
      throw new TypeError(`unknown optimizer ${JSON.stringify(name)}; expected one of ${OPTIMIZER_NAMES.join(', ')}`);
  }
}
