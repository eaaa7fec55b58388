import type { Tensor } from '../../tensor/tensor.js';
import { clamp } from '../../ops/elementwise.js';
import { Module } from '../module.js';

/** min(max(x, 0), 6), MobileNet's activation. */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return clamp(x, 0, 6);
  }
}
