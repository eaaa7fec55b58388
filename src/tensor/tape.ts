import { AutogradError } from '../core/errors.js';
import type { Tensor } from './tensor.js';

/**
 * Computes input gradients from the output gradient. `needs[i]` says whether
 * input i wants one; return null (or undefined) where it does not.
 */
export type BackwardFn = (grad: Tensor, needs: readonly boolean[]) => readonly (Tensor | null | undefined)[];

/**
 * One recorded op on the tape: its inputs (the graph's edges), the closure
 * that computes their gradients, and the versions of the tensors that closure
 * saved, so an in-place change after recording is caught instead of silently
 * giving a wrong gradient.
 */
export class Node {
  /** Set by the engine once the node's closure has been run and dropped. */
  released = false;
  /** The output tensor, kept only when it asked to retain its gradient. */
  retained: Tensor | null = null;

  constructor(
    readonly name: string,
    public inputs: readonly Tensor[],
    public backwardFn: BackwardFn | null,
    readonly needs: readonly boolean[],
    private saved: readonly Tensor[],
    private savedVersions: readonly number[],
    /**
     * True when the closure returns only views of its incoming gradient or tensors it
     * just computed (every built-in op); false for user code (custom Functions), which
     * may return any tensor. Lets the engine hand a fresh gradient to a leaf uncopied.
     */
    readonly freshGrads = true,
  ) {}

  /** True when `data` backs one of this node's inputs or saved tensors. */
  holds(data: Tensor['data']): boolean {
    return this.inputs.some((t) => t.data === data) || this.saved.some((t) => t.data === data);
  }

  /** Throws when a saved tensor was modified in place after it was saved. */
  checkSaved(): void {
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i]!;
      if (t._version.value !== this.savedVersions[i]) {
        throw new AutogradError(
          `backward: a tensor of shape [${t.shape.join(',')}] saved by ${this.name} was modified by an in-place operation ` +
            `(version ${this.savedVersions[i]} when saved, ${t._version.value} now); its old value is needed for the gradient. ` +
            'Use an out-of-place op (e.g. add instead of add_) or clone the tensor first.',
        );
      }
    }
  }

  /** Drops the closure and edges so the saved tensors can be collected. */
  release(): void {
    this.backwardFn = null;
    this.inputs = [];
    this.saved = [];
    this.released = true;
  }
}

let gradEnabled = true;

/** True when ops record themselves for autograd. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Switches recording on or off and returns the previous setting. */
export function setGradEnabled(on: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = on;
  return prev;
}

/** Runs fn with recording off (PyTorch's torch.no_grad), restoring the previous mode afterwards. */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Records `out = name(inputs)` on the tape when any input requires a gradient
 * and recording is on; `saved` lists the tensors the backward closure reads;
 * `freshGrads` is false for closures written outside tsgrad (see Node).
 * Returns `out` for chaining.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
  freshGrads = true,
): Tensor {
  if (!gradEnabled) return out;
  let any = false;
  const needs = inputs.map((t) => {
    any ||= t.requiresGrad;
    return t.requiresGrad;
  });
  if (!any) return out;
  out._setGradFn(new Node(name, inputs, backward, needs, saved, saved.map((t) => t._version.value), freshGrads));
  return out;
}
