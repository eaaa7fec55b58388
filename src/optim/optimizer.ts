import { isFloat } from '../core/dtype.js';
import { DTypeError, ShapeError, TsgradError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { clone } from '../ops/shape.js';
import { contiguousRaw } from '../ops/util.js';

/** Per-parameter optimizer state: moment buffers (tensors) and counters (numbers). */
export type ParamState = Record<string, Tensor | number>;

/** A group of parameters sharing hyperparameters; `H` is the optimizer's hyperparameter record. */
export type ParamGroup<H> = H & { params: Tensor[] };

/** What a constructor accepts: parameters, or groups of them each overriding some hyperparameters. */
export type ParamsArg<H> = Iterable<Tensor> | readonly (Partial<H> & { params: Iterable<Tensor> })[];

/** An optimizer's state dict: JSON-serialisable numbers and flags plus state tensors, params referred to by index. */
export interface OptimizerStateDict<H = Record<string, unknown>> {
  state: Record<number, ParamState>;
  paramGroups: (H & { params: number[] })[];
}

/**
 * Base of the optimizers: parameter groups with their hyperparameters (lr
 * etc.), state created lazily per parameter, step() and zeroGrad(), and a
 * state dict that round-trips. Subclasses supply `update`: a call of their
 * pure update function on one parameter.
 */
export abstract class Optimizer<H extends { lr: number } = { lr: number }> {
  readonly paramGroups: ParamGroup<H>[] = [];
  /** State per parameter, created on the parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(
    params: ParamsArg<H>,
    readonly defaults: H,
  ) {
    const name = this.constructor.name;
    const list = [...(params as Iterable<Tensor | (Partial<H> & { params: Iterable<Tensor> })>)];
    if (list.length === 0) throw new TsgradError(`${name}: got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor)
      ? [{ params: list as Tensor[] } as unknown as Partial<H> & { params: Iterable<Tensor> }]
      : (list as (Partial<H> & { params: Iterable<Tensor> })[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group of parameters; hyperparameters it leaves out take the defaults. */
  addParamGroup(group: Partial<H> & { params: Iterable<Tensor> }): void {
    const name = this.constructor.name;
    if (group instanceof Tensor || typeof group !== 'object' || group === null || !('params' in group)) {
      throw new TsgradError(`${name}: expected parameters or parameter groups ({params, ...}), got a mix`);
    }
    const params = [...group.params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TsgradError(`${name}: parameter ${i} of group ${this.paramGroups.length} is not a Tensor`);
      if (!isFloat(p.dtype)) throw new DTypeError(`${name}: can only optimize float tensors, parameter ${i} is ${p.dtype}`);
      if (!p.isLeaf) throw new TsgradError(`${name}: can't optimize a non-leaf tensor (parameter ${i} of shape ${fmtShape(p.shape)})`);
      if (seen.has(p)) throw new TsgradError(`${name}: some parameters appear in more than one parameter group`);
      seen.add(p);
    });
    const g = { ...this.defaults, ...group, params } as ParamGroup<H>;
    this.checkHyper(g);
    this.paramGroups.push(g);
  }

  /** PyTorch's printout: the class name, then each parameter group's hyperparameters in name order. */
  toString(): string {
    const fmt = (v: unknown): string => (Array.isArray(v) ? `[${v.map(fmt).join(', ')}]` : v instanceof Tensor ? `tensor of shape ${fmtShape(v.shape)}` : String(v));
    const groups = this.paramGroups.map((g, i) => {
      const keys = Object.keys(g).filter((k) => k !== 'params').sort();
      return [`Parameter Group ${i}`, ...keys.map((k) => `    ${k}: ${fmt((g as Record<string, unknown>)[k])}`)].join('\n');
    });
    return `${this.constructor.name} (\n${groups.join('\n\n')}\n)`;
  }

  /** console.log / util.inspect in Node show toString()'s printout. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Throws a RangeError naming the hyperparameter when a value is out of range. */
  protected checkHyper(g: H): void {
    if (!(g.lr >= 0)) throw new RangeError(`${this.constructor.name}: invalid learning rate ${g.lr}`);
  }

  /** Applies one update to a parameter with gradient `grad` (contiguous, same shape and dtype). */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: H): void;

  /** Updates every parameter that has a gradient, in place and without recording. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          if (!shapesEqual(p.grad.shape, p.shape)) {
            throw new ShapeError(`${this.constructor.name}.step: gradient of shape ${fmtShape(p.grad.shape)} does not match its parameter ${fmtShape(p.shape)}`);
          }
          if (!p.isContiguous()) throw new ShapeError(`${this.constructor.name}.step: parameters must be contiguous, got strides [${p.strides.join(',')}]`);
          const g = contiguousRaw(p.grad.dtype === p.dtype ? p.grad : p.grad.to(p.dtype));
          let st = this.state.get(p);
          if (!st) {
            st = {};
            this.state.set(p, st);
          }
          this.update(p, g, st, group);
          p._version.value++;
        }
      }
    });
  }

  /** Clears the gradients of every parameter (to null by default, like PyTorch). */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (setToNone || p.grad === null) p.grad = null;
        else noGrad(() => p.grad!.zero_());
      }
    }
  }

  /** Hyperparameters and state, with parameters as indices in group order; tensors are copies. */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return { ...(hyper as unknown as H), params: params.map((p) => {
        const i = index.size;
        index.set(p, i);
        return i;
      }) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(st).map(([k, v]) => [k, v instanceof Tensor ? clone(v) : v]));
    }
    return { state, paramGroups };
  }

  /** Restores hyperparameters and state from stateDict(); the groups must hold the same numbers of parameters. */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    const name = this.constructor.name;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new TsgradError(`${name}.loadStateDict: expected {state, paramGroups}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new TsgradError(`${name}.loadStateDict: the state dict has ${sd.paramGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`);
    }
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi]!;
      if (g.params.length !== mine.params.length) {
        throw new TsgradError(`${name}.loadStateDict: group ${gi} has ${g.params.length} parameters in the state dict but ${mine.params.length} in the optimizer`);
      }
      g.params.forEach((idx, k) => (byIndex[idx] = mine.params[k]!));
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state)) {
      const p = byIndex[Number(key)];
      if (!p) throw new TsgradError(`${name}.loadStateDict: state for parameter ${key}, which no group refers to`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(st)) {
        if (v instanceof Tensor) {
          if (!shapesEqual(v.shape, p.shape) && v.numel() !== 1) {
            throw new ShapeError(`${name}.loadStateDict: state "${k}" of parameter ${key} has shape ${fmtShape(v.shape)}, the parameter ${fmtShape(p.shape)}`);
          }
          copy[k] = clone(v.dtype === p.dtype || v.numel() === 1 ? v : v.to(p.dtype));
        } else copy[k] = v;
      }
      newState.set(p, copy);
    }
    sd.paramGroups.forEach((g, gi) => {
      const { params: _ignored, ...hyper } = g;
      Object.assign(this.paramGroups[gi]!, hyper);
    });
    this.state.clear();
    for (const [p, st] of newState) this.state.set(p, st);
  }
}

/** The state tensor `key` of a parameter, created as zeros like `like` on first use. */
export function stateBuffer(state: ParamState, key: string, like: Tensor): Tensor {
  let t = state[key];
  if (!(t instanceof Tensor)) {
    t = Tensor._onDevice(like.shape, like.dtype, like.device, true);
    state[key] = t;
  } else if (t.device !== like.device) {
    // The parameter moved (module.to(device)): its state follows.
    t._moveTo(like.device);
  }
  return t;
}
