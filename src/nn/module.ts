import { checkDevice, type Device } from '../backend/device.js';
import type { DType } from '../core/dtype.js';
import { ShapeError, TsgradError, fmtShape } from '../core/errors.js';
import { shapesEqual } from '../core/shape.js';
import { noGrad } from '../tensor/tape.js';
import { Tensor } from '../tensor/tensor.js';
import { to } from '../ops/cast.js';
import { copy_ } from '../ops/inplace.js';
import { Parameter } from './parameter.js';
import { summary } from './summary.js';

/** A state dict: ordered names (PyTorch's dotted keys) to tensors. */
export type StateDict = Map<string, Tensor>;

/** Options of loadStateDict. */
export interface LoadStateDictOptions {
  /** Refuse missing and unexpected keys (default true). Mis-shaped keys are always refused. */
  strict?: boolean;
}

/** What loadStateDict found besides the keys it loaded. */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A state dict that does not fit the module: lists every missing, unexpected and mis-shaped key. */
export class StateDictError extends TsgradError {
  override name = 'StateDictError';
  constructor(
    readonly module: string,
    readonly missingKeys: readonly string[],
    readonly unexpectedKeys: readonly string[],
    readonly mismatched: readonly { key: string; expected: readonly number[]; got: readonly number[] }[],
  ) {
    const parts: string[] = [];
    if (missingKeys.length) parts.push(`Missing key(s): ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (unexpectedKeys.length) parts.push(`Unexpected key(s): ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    for (const m of mismatched) {
      parts.push(`Size mismatch for "${m.key}": the checkpoint has shape ${fmtShape(m.got)}, the model expects ${fmtShape(m.expected)}.`);
    }
    super(`loadStateDict: error(s) loading the state dict into ${module}:\n  ${parts.join('\n  ')}`);
  }
}

/** Per-instance registration data, kept off the enumerable fields so field walking never sees it. */
interface Registry {
  buffers: Set<string>;
  nonPersistent: Set<string>;
  forwardHooks: ForwardHook[];
  forwardPreHooks: ForwardPreHook[];
}

/** Called after a module's forward with its inputs and output; a returned tensor replaces the output. */
export type ForwardHook = (module: Module, inputs: Tensor[], output: Tensor) => Tensor | void;

/** Called before a module's forward with its inputs; returned tensors replace the inputs. */
export type ForwardPreHook = (module: Module, inputs: Tensor[]) => Tensor[] | void;

/** Removes the hook it was returned for. */
export interface HookHandle {
  remove(): void;
}

const registries = new WeakMap<Module, Registry>();

function registry(m: Module): Registry {
  let r = registries.get(m);
  if (!r) {
    r = { buffers: new Set(), nonPersistent: new Set(), forwardHooks: [], forwardPreHooks: [] };
    registries.set(m, r);
  }
  return r;
}

/**
 * Base class of every layer and model. Parameters, buffers and submodules are
 * found by walking the module's own fields in declaration (insertion) order:
 * a Parameter field is a parameter, a Module field a submodule, and a tensor
 * registered with registerBuffer a buffer. This gives PyTorch's dotted names
 * (`features.0.weight`) without any bookkeeping in subclasses. Fields whose
 * name is not a valid PyTorch name can be registered explicitly under one
 * (registerParameter / registerBuffer / registerModule define the field).
 * Subclasses implement forward(); call it directly (`model.forward(x)`).
 */
export abstract class Module {
  /** True in training mode (Dropout drops, BatchNorm uses batch statistics); see train() and eval(). */
  training = true;

  /** Computes the module's output. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Defines (or replaces) a parameter under `name`; null records an absent one (like a bias turned off). */
  registerParameter(name: string, param: Parameter | null): Parameter | null {
    checkName(this, name);
    define(this, name, param);
    return param;
  }

  /**
   * Defines a buffer: a tensor that is state but not a parameter (BatchNorm's
   * running statistics). Persistent buffers go into the state dict.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): Tensor | null {
    checkName(this, name);
    const r = registry(this);
    r.buffers.add(name);
    if (persistent) r.nonPersistent.delete(name);
    else r.nonPersistent.add(name);
    define(this, name, tensor);
    return tensor;
  }

  /** Defines (or replaces) a submodule under `name`. */
  registerModule(name: string, module: Module | null): Module | null {
    checkName(this, name);
    define(this, name, module);
    return module;
  }

  /**
   * Registers a hook run after every forward() of this module (PyTorch's
   * register_forward_hook). Hooks are installed by shadowing forward on the
   * instance, so they run however the module is called.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    return addHook(this, registry(this).forwardHooks, hook);
  }

  /** Registers a hook run before every forward() of this module; it may replace the inputs. */
  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    return addHook(this, registry(this).forwardPreHooks, hook);
  }

  /** The submodule at a dotted path such as 'features.0' ('' is this module). */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    return path.split('.').reduce<Module>((m, part) => {
      const next = [...m.namedChildren()].find(([n]) => n === part);
      if (!next) throw new TsgradError(`${this.constructor.name}.getSubmodule: no submodule "${part}" in "${path}"`);
      return next[1];
    }, this);
  }

  /** The parameter at a dotted path such as 'features.0.weight'. */
  getParameter(path: string): Parameter {
    const i = path.lastIndexOf('.');
    const owner = this.getSubmodule(i < 0 ? '' : path.slice(0, i));
    const name = path.slice(i + 1);
    const p = owner.ownEntries().params.find(([n]) => n === name);
    if (!p) throw new TsgradError(`${this.constructor.name}.getParameter: no parameter "${path}"`);
    return p[1];
  }

  /** The buffer registered under `name` (throws when there is none). */
  getBuffer(name: string): Tensor {
    const t = registry(this).buffers.has(name) ? (this as unknown as Record<string, unknown>)[name] : undefined;
    if (!(t instanceof Tensor)) throw new TsgradError(`${this.constructor.name}: no buffer named "${name}"`);
    return t;
  }

  /** This module's own parameters, buffers and children, in field order. */
  protected ownEntries(): { params: [string, Parameter][]; buffers: [string, Tensor][]; modules: [string, Module][] } {
    const params: [string, Parameter][] = [];
    const buffers: [string, Tensor][] = [];
    const modules: [string, Module][] = [];
    const bufferNames = registry(this).buffers;
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const v = self[key];
      if (bufferNames.has(key)) {
        if (v instanceof Tensor) buffers.push([key, v]);
      } else if (v instanceof Parameter) params.push([key, v]);
      else if (v instanceof Module) modules.push([key, v]);
      else if (Array.isArray(v) && v.some((e) => e instanceof Module || e instanceof Parameter)) {
        throw new TsgradError(
          `${this.constructor.name}.${key}: an array of modules or parameters is not registered; use a ModuleList (or register each element) so its parameters are found`,
        );
      }
    }
    return { params, buffers, modules };
  }

  /** Direct submodules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    yield* this.ownEntries().modules;
  }

  /** Direct submodules. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every submodule (pre-order), with dotted names ('' for this one); each module once. */
  *namedModules(prefix = '', memo: Set<Module> = new Set()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${name}` : name, memo);
  }

  /** This module and every submodule. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Every parameter with its dotted name; a parameter shared by two modules appears once. */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, p] of m.ownEntries().params) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [mp ? `${mp}.${name}` : name, p];
      }
    }
  }

  /** Every parameter (what an optimizer takes). */
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  /** Every buffer with its dotted name. */
  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) {
      for (const [name, b] of m.ownEntries().buffers) {
        if (seen.has(b)) continue;
        seen.add(b);
        yield [mp ? `${mp}.${name}` : name, b];
      }
    }
  }

  /** Every buffer. */
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  /** Number of parameter elements (only those that require grad when `onlyTrainable`). */
  numParameters(onlyTrainable = false): number {
    let n = 0;
    for (const p of this.parameters()) if (!onlyTrainable || p.requiresGrad) n += p.numel();
    return n;
  }

  /** Sets training mode on this module and every submodule; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode (train(false)); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter (sets it to null, like PyTorch's set_to_none default). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (setToNone || p.grad === null) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }

  /** Turns gradients of every parameter on or off (freezing); returns this. */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad = on;
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name, in PyTorch's order (each
   * module's parameters, then its buffers, then its children). The tensors
   * share storage with the module's (detached views); tied weights appear
   * under every name.
   */
  stateDict(): StateDict {
    const sd: StateDict = new Map();
    const visit = (m: Module, prefix: string): void => {
      const { params, buffers, modules } = m.ownEntries();
      const np = registry(m).nonPersistent;
      for (const [name, p] of params) sd.set(prefix + name, p.detach());
      for (const [name, b] of buffers) if (!np.has(name)) sd.set(prefix + name, b.detach());
      for (const [name, c] of modules) visit(c, `${prefix}${name}.`);
    };
    visit(this, '');
    return sd;
  }

  /**
   * Copies values from `sd` into this module's parameters and buffers (in
   * place, casting dtype). Shapes must match. When strict (the default) the
   * keys must match exactly; otherwise missing and unexpected keys are
   * returned. Nothing is copied when any error is found.
   */
  loadStateDict(sd: Map<string, Tensor> | Record<string, Tensor>, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const src = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !src.has(k));
    const unexpectedKeys = [...src.keys()].filter((k) => !own.has(k));
    const mismatched: { key: string; expected: readonly number[]; got: readonly number[] }[] = [];
    for (const [k, t] of own) {
      const s = src.get(k);
      if (s === undefined) continue;
      if (!(s instanceof Tensor)) throw new TsgradError(`loadStateDict: value of "${k}" is not a Tensor`);
      if (!shapesEqual(s.shape, t.shape)) mismatched.push({ key: k, expected: t.shape, got: s.shape });
    }
    if (mismatched.length || (strict && (missingKeys.length || unexpectedKeys.length))) {
      throw new StateDictError(this.constructor.name, strict ? missingKeys : [], strict ? unexpectedKeys : [], mismatched);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const s = src.get(k);
        if (s !== undefined) copy_(t, s.dtype === t.dtype ? s : to(s, t.dtype));
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Moves every parameter, gradient and buffer to a device ('cpu', 'webgpu'), keeping the
   * Parameter objects (optimizers built before keep working; their state follows on the
   * next step), and/or converts every floating parameter and buffer to a dtype (the
   * Parameter objects are replaced, so build optimizers after a dtype change). Moving
   * from a GPU back to the CPU is asynchronous: use toAsync.
   */
  to(target: DType | Device | { dtype?: DType; device?: Device }): this {
    const { dtype, device } = moduleTarget(target);
    if (device !== undefined) {
      for (const t of this.deviceTensors()) t._moveTo(device);
    }
    if (dtype !== undefined) this.toDType(dtype);
    return this;
  }

  /** Like to(), from any device (a GPU module comes back to the CPU). */
  async toAsync(target: DType | Device | { dtype?: DType; device?: Device }): Promise<this> {
    const { dtype, device } = moduleTarget(target);
    if (device !== undefined) {
      for (const t of this.deviceTensors()) await t._moveToAsync(device);
    }
    if (dtype !== undefined) this.toDType(dtype);
    return this;
  }

  /** The device of the first parameter or buffer ('cpu' for a module without any). */
  get device(): Device {
    return this.deviceTensors()[0]?.device ?? 'cpu';
  }

  private deviceTensors(): Tensor[] {
    const out: Tensor[] = [];
    for (const m of this.modules()) {
      const { params, buffers } = m.ownEntries();
      for (const [, p] of params) {
        out.push(p);
        if (p.grad) out.push(p.grad);
      }
      for (const [, b] of buffers) out.push(b);
    }
    return out;
  }

  private toDType(dtype: DType): void {
    for (const m of this.modules()) {
      const self = m as unknown as Record<string, unknown>;
      const { params, buffers } = m.ownEntries();
      for (const [name, p] of params) {
        if (p.dtype !== dtype && (p.dtype === 'float32' || p.dtype === 'float64')) self[name] = new Parameter(to(p.detach(), dtype), p.requiresGrad);
      }
      for (const [name, b] of buffers) {
        if (b.dtype !== dtype && (b.dtype === 'float32' || b.dtype === 'float64')) self[name] = to(b, dtype);
      }
    }
  }

  /** Calls fn on every submodule (children first) and then on this module, like PyTorch's apply. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * A table of the leaf layers with their output shapes (batch as -1) and
   * parameter counts, like torchsummary. `inputShape` excludes the batch dim;
   * `dtype` is the zero input's (int32 for models that start with an Embedding).
   */
  summary(inputShape: readonly number[], dtype: 'float32' | 'float64' | 'int32' = 'float32'): string {
    return summary(this, inputShape, dtype);
  }

  /** One-line description of the layer's configuration (shown by toString and summary). */
  extraRepr(): string {
    return '';
  }

  /** console.log / util.inspect in Node show the nested printout (toString), not the fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** PyTorch-style nested printout of the module tree. */
  toString(): string {
    const kids = [...this.namedChildren()];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([n, m]) => `  (${n}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

/** Adds a hook and, for the first one, shadows the prototype's forward with one that runs the hooks. */
function addHook<H>(m: Module, list: H[], hook: H): HookHandle {
  list.push(hook);
  const r = registry(m);
  if (!Object.prototype.hasOwnProperty.call(m, 'forward')) {
    const proto = Object.getPrototypeOf(m) as Module;
    Object.defineProperty(m, 'forward', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: (...inputs: Tensor[]): Tensor => {
        let args = inputs;
        for (const h of [...r.forwardPreHooks]) args = h(m, args) ?? args;
        let out = proto.forward.apply(m, args);
        for (const h of [...r.forwardHooks]) out = h(m, args, out) ?? out;
        return out;
      },
    });
  }
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
      if (r.forwardHooks.length === 0 && r.forwardPreHooks.length === 0) delete (m as unknown as Record<string, unknown>)['forward'];
    },
  };
}

function checkName(m: Module, name: string): void {
  if (!NAME_RE.test(name)) {
    throw new TsgradError(`${m.constructor.name}: "${name}" is not a valid parameter, buffer or module name (letters, digits and _ only; no dots)`);
  }
}

function define(m: Module, name: string, value: unknown): void {
  Object.defineProperty(m, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Throws a ShapeError naming the layer when `x` has the wrong number of dims. */
export function checkNdim(layer: string, x: Tensor, allowed: readonly number[], what: string): void {
  if (!allowed.includes(x.ndim)) {
    throw new ShapeError(`${layer}: expected a ${allowed.join('-d or ')}-d input ${what}, got shape ${fmtShape(x.shape)}`);
  }
}

const DEVICE_NAMES = new Set(['cpu', 'webgpu', 'cuda', 'mps', 'gpu', 'xpu']);

function moduleTarget(target: DType | Device | { dtype?: DType; device?: Device }): { dtype?: DType; device?: Device } {
  if (typeof target === 'object' && target !== null) {
    return { ...(target.dtype !== undefined ? { dtype: target.dtype } : {}), ...(target.device !== undefined ? { device: checkDevice(target.device, 'Module.to') } : {}) };
  }
  if (DEVICE_NAMES.has(target) || /^(cuda|mps|xpu):\d+$/.test(target)) return { device: checkDevice(target, 'Module.to') };
  return { dtype: target as DType };
}
