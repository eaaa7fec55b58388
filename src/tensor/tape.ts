import { AnomalyError, AutogradError, fmtShape } from '../core/errors.js';
import { isFloat } from '../core/dtype.js';
import type { Tensor } from './tensor.js';

let anomaly = false;

/** Turns anomaly detection on or off for everything that follows (see tg.autograd.detectAnomaly). */
export function setAnomalyMode(on: boolean): void {
  anomaly = on;
}

/** Whether anomaly detection is on. */
export function anomalyMode(): boolean {
  return anomaly;
}

/** Index of the first NaN or ±Infinity of a float tensor, or -1 (always -1 for integer tensors). */
export function firstNonFinite(t: Tensor): number {
  if (!isFloat(t.dtype)) return -1;
  const a = t.toTypedArray() as Float32Array | Float64Array;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** Where user code called an op (the first stack frames outside tsgrad), for anomaly messages. */
export function userFrames(stack: string | undefined): string {
  const lines = (stack ?? '').split('\n').slice(1).map((l) => l.trim().replace(/^at /, ''));
  const user = lines.filter((l) => !/[\\/](src|dist[\\/]src)[\\/](ops|tensor|autograd|backend|core|nn|optim|layers|models)[\\/]/.test(l) && !l.includes('node:internal'));
  return (user.length ? user : lines).slice(0, 3).join(' <- ');
}

/** Throws an AnomalyError when `out` holds a non-finite value that none of the finite `inputs` had. */
function checkForward(name: string, out: Tensor, inputs: readonly Tensor[]): void {
  const at = firstNonFinite(out);
  if (at < 0 || inputs.some((t) => firstNonFinite(t) >= 0)) return;
  const v = (out.toTypedArray() as Float32Array)[at]!;
  throw new AnomalyError(
    `detectAnomaly: ${name} produced ${v} in its forward pass (element ${at} of its ${fmtShape(out.shape)} output) from finite inputs of shapes ${inputs.map((t) => fmtShape(t.shape)).join(', ') || 'none'}; called at ${userFrames(new Error().stack)}`,
  );
}

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
  /** Where the op was called, recorded in anomaly mode (named when its backward goes non-finite). */
  trace: string | null = null;

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
  if (anomaly) checkForward(name, out, inputs);
  if (!gradEnabled) return out;
  let any = false;
  const needs = inputs.map((t) => {
    any ||= t.requiresGrad;
    return t.requiresGrad;
  });
  if (!any) return out;
  const node = new Node(name, inputs, backward, needs, saved, saved.map((t) => t._version.value), freshGrads);
  if (anomaly) node.trace = userFrames(new Error().stack);
  out._setGradFn(node);
  return out;
}
