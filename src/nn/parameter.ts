import { ShapeError } from '../core/errors.js';
import { contiguousStrides } from '../core/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { contiguousRaw } from '../ops/util.js';

/**
 * A tensor that a Module owns and an optimizer updates: a leaf that requires
 * grad (unless `requiresGrad` is false), sharing storage with the tensor it
 * was made from when that one is contiguous (PyTorch's nn.Parameter).
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new ShapeError('Parameter: expected a Tensor');
    const c = contiguousRaw(data);
    super(c.data, c.dtype, c.shape, contiguousStrides(c.shape), c.offset, c === data ? data._version : undefined);
    this.requiresGrad = requiresGrad;
  }

  /** PyTorch-style printout, prefixed with "Parameter". */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
