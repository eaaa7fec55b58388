import { AnomalyError, AutogradError, ShapeError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { ones } from '../tensor/creation.js';
import { anomalyMode, firstNonFinite, setAnomalyMode, setGradEnabled, type Node } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/elementwise.js';
import { clone } from '../ops/shape.js';
import { to } from '../ops/cast.js';
import { add_ } from '../ops/inplace.js';

/** Options of backward(). */
export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false: it is freed as it goes). */
  retainGraph?: boolean;
}

/** Orders the nodes reachable from `root` so that each comes after every node that feeds it a gradient. */
function topoOrder(root: Node): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>([root]);
  const stack: [Node, number][] = [[root, 0]];
  // Iterative DFS: deep graphs (long training-step chains) must not overflow the JS stack.
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const next = node.inputs[i]!.gradFn;
      if (next && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(node);
      stack.pop();
    }
  }
  return order.reverse();
}

/**
 * Adds a gradient into a leaf's .grad. The first time it stores a copy, so no two
 * leaves (nor a leaf and a tensor the user holds) share one, unless `owned` says that
 * nothing else can reach `g`: then g itself becomes .grad (PyTorch steals such
 * gradients too), saving a copy of every weight gradient each step.
 */
function accumulate(leaf: Tensor, g: Tensor, owned = false): void {
  const gg = g.dtype === leaf.dtype ? g : to(g, leaf.dtype);
  if (leaf.grad === null) leaf.grad = owned && gg === g && wholeStorage(g) ? g : clone(gg);
  else if (shapesEqual(leaf.grad.shape, gg.shape)) add_(leaf.grad, gg);
  else leaf.grad = add(leaf.grad, gg);
}

/** True when `t` is contiguous and covers all of its storage, so nothing else lives in it. */
function wholeStorage(t: Tensor): boolean {
  return t.offset === 0 && t.data.length === t.numel() && t.isContiguous();
}

/**
 * Whether input gradient `gi` of `node` is reachable from nowhere else: the node's
 * closure is a built-in one; `gi` shares storage with no other gradient the node
 * returned; and it is either a view of the incoming gradient `g`, itself owned, or
 * shares storage with none of the node's inputs and saved tensors (so it is new).
 */
function ownedGrad(node: Node, g: Tensor, gOwned: boolean, grads: readonly (Tensor | null | undefined)[], i: number): boolean {
  const gi = grads[i]!;
  if (!node.freshGrads || !grads.every((o, j) => j === i || !o || o.data !== gi.data)) return false;
  return gi.data === g.data ? gOwned : !node.holds(gi.data);
}

/**
 * Backpropagates from `root`: computes d(root)/d(leaf) for every leaf that
 * requires a gradient and adds it into leaf.grad. `grad` is d(loss)/d(root);
 * it may be omitted only for one-element roots. The graph is freed as each
 * node is used unless `retainGraph` is set.
 */
export function backward(root: Tensor, grad?: Tensor | null, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new AutogradError(`backward: the tensor of shape ${fmtShape(root.shape)} does not require grad and has no gradFn`);
  }
  let seed: Tensor;
  if (grad == null) {
    if (root.numel() !== 1) {
      throw new AutogradError(`backward: a gradient can only be created implicitly for a one-element output, got shape ${fmtShape(root.shape)}; pass one, e.g. y.backward(tg.onesLike(y))`);
    }
    seed = ones(root.shape, { dtype: root.dtype });
  } else {
    if (!shapesEqual(grad.shape, root.shape)) {
      throw new ShapeError(`backward: gradient of shape ${fmtShape(grad.shape)} does not match the output's shape ${fmtShape(root.shape)}`);
    }
    seed = grad;
  }
  const prev = setGradEnabled(false);
  try {
    if (!root.gradFn) {
      accumulate(root, seed);
      return;
    }
    const order = topoOrder(root.gradFn);
    const grads = new Map<Node, Tensor>([[root.gradFn, seed]]);
    // Nodes whose pending gradient nothing outside this pass can reach (see ownedGrad).
    const owns = new Set<Node>(grad == null ? [root.gradFn] : []);
    for (const node of order) {
      const g = grads.get(node);
      const gOwned = owns.delete(node);
      grads.delete(node);
      if (node.released) {
        throw new AutogradError(
          `backward: trying to backward through the graph a second time (at ${node.name}); its saved values were freed after the first backward. ` +
            'Pass {retainGraph: true} to the first backward if you need to do this.',
        );
      }
      if (!g) continue;
      // A copy, so the retained .grad neither aliases a gradient flowing on nor is an expanded (stride-0) view.
      if (node.retained) node.retained.grad = node.retained.grad ? add(node.retained.grad, g) : clone(g);
      node.checkSaved();
      const checking = anomalyMode();
      let inputGrads: readonly (Tensor | null | undefined)[];
      // The ops a backward runs are checked as that backward's result, not as forward ops of their own.
      if (checking) setAnomalyMode(false);
      try {
        inputGrads = node.backwardFn!(g, node.needs);
      } finally {
        if (checking) setAnomalyMode(true);
      }
      const inputs = node.inputs;
      if (checking) checkBackward(node.name, node.trace, g, inputGrads, node.needs);
      // Decided before release(), which drops what holds() looks at.
      const owned = inputGrads.map((gi, i) => !!gi && ownedGrad(node, g, gOwned, inputGrads, i));
      if (!opts.retainGraph) node.release();
      for (let i = 0; i < inputs.length; i++) {
        const gi = inputGrads[i];
        const input = inputs[i]!;
        if (!gi || !node.needs[i]) continue;
        if (!shapesEqual(gi.shape, input.shape)) {
          throw new ShapeError(`backward: ${node.name} returned a gradient of shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(input.shape)}`);
        }
        const fn = input.gradFn;
        if (fn) {
          const have = grads.get(fn);
          grads.set(fn, have ? add(have, gi) : gi);
          // A sum is new; a gradient passed on as it is keeps its ownership.
          if (have || owned[i]) owns.add(fn);
          else owns.delete(fn);
        } else if (input.requiresGrad) {
          accumulate(input, gi, owned[i]);
        }
      }
    }
  } finally {
    setGradEnabled(prev);
  }
}

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Backpropagates from this tensor into the .grad of every leaf that requires it. */
    backward(grad?: Tensor | null, opts?: BackwardOptions): void;
    /** Same, for a one-element tensor, with options only: `loss.backward({ retainGraph: true })`. */
    backward(opts: BackwardOptions): void;
  }
}

(Tensor.prototype as unknown as { backward: (this: Tensor, g?: Tensor | null | BackwardOptions, o?: BackwardOptions) => void }).backward = function (g, o) {
  // Options may come first when there is no explicit gradient (JS has no keyword arguments).
  if (g != null && !(g instanceof Tensor)) backward(this, null, g);
  else backward(this, g, o);
};

/** Anomaly mode: throws when an op's backward turned a finite incoming gradient into NaN or ±Infinity. */
function checkBackward(name: string, trace: string | null, g: Tensor, grads: readonly (Tensor | null | undefined)[], needs: readonly boolean[]): void {
  if (firstNonFinite(g) >= 0) return; // not this op's doing: the incoming gradient already was
  grads.forEach((gi, i) => {
    if (!gi || !needs[i]) return;
    const at = firstNonFinite(gi);
    if (at < 0) return;
    const v = (gi.toTypedArray() as Float32Array)[at]!;
    throw new AnomalyError(
      `detectAnomaly: the backward of ${name} produced ${v} in the gradient of its input ${i} (element ${at} of shape ${fmtShape(gi.shape)}) from a finite incoming gradient` +
        (trace ? `; the ${name} was called at ${trace}` : ''),
    );
  });
}
