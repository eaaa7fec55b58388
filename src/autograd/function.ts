import { AutogradError } from '../core/errors.js';
import { isGradEnabled, noGrad, record } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';

/** What a custom function's forward and backward share: saved tensors, flags and any other state. */
export class FunctionCtx {
  /** For each forward argument: does it need a gradient? (false for non-tensors). */
  readonly needsInputGrad: readonly boolean[];
  /** Free-form state forward leaves for backward (e.g. an epsilon or a shape). */
  readonly state: Record<string, unknown> = {};
  private saved: Tensor[] = [];

  constructor(needs: readonly boolean[]) {
    this.needsInputGrad = needs;
  }

  /** Keeps tensors for backward; an in-place change to them before backward is reported as an error. */
  saveForBackward(...tensors: Tensor[]): void {
    this.saved = tensors;
  }

  /** The tensors given to saveForBackward, in order. */
  get savedTensors(): readonly Tensor[] {
    return this.saved;
  }
}

/** A forward argument: tensors take part in autograd, anything else is passed through. */
export type FunctionArg = Tensor | number | boolean | string | null | undefined | readonly number[];

/** The static side of a custom function class. */
export interface FunctionClass {
  name: string;
  forward(ctx: FunctionCtx, ...args: FunctionArg[]): Tensor;
  backward(ctx: FunctionCtx, grad: Tensor): readonly (Tensor | null | undefined)[];
}

/**
 * Base class of custom differentiable functions with a hand-written backward
 * (PyTorch's torch.autograd.Function). Subclasses define static
 * `forward(ctx, ...args)` and `backward(ctx, grad)` returning one gradient
 * (or null) per forward argument, and are called with `MyFn.apply(...args)`.
 * Nothing done inside forward is recorded.
 */
export abstract class Function {
  /** Runs forward without recording and records one node whose backward is the class's backward. */
  static apply(this: FunctionClass, ...args: FunctionArg[]): Tensor {
    const grad = isGradEnabled();
    const ctx = new FunctionCtx(args.map((a) => grad && a instanceof Tensor && a.requiresGrad));
    const out = noGrad(() => this.forward(ctx, ...args));
    if (!(out instanceof Tensor)) throw new AutogradError(`${this.name}.forward must return a Tensor`);
    const positions = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
    const inputs = positions.map((i) => args[i] as Tensor);
    // A fresh view keeps the graph node off any tensor forward may have returned unchanged.
    const result = out._view(out.shape, out.strides, out.offset);
    return record(this.name, result, inputs, (g) => {
      const grads = this.backward(ctx, g);
      if (grads.length !== args.length) {
        throw new AutogradError(`${this.name}.backward returned ${grads.length} gradients but forward took ${args.length} arguments`);
      }
      return positions.map((i) => grads[i] ?? null);
    }, ctx.savedTensors, false);
  }

  static forward(_ctx: FunctionCtx, ..._args: FunctionArg[]): Tensor {
    throw new AutogradError(`${this.name}: subclasses of Function must define static forward(ctx, ...args)`);
  }

  static backward(_ctx: FunctionCtx, _grad: Tensor): readonly (Tensor | null | undefined)[] {
    throw new AutogradError(`${this.name}: subclasses of Function must define static backward(ctx, grad)`);
  }
}
