import { IndexError, TsgradError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

function isModuleRecord(v: unknown): v is Record<string, Module> {
  return typeof v === 'object' && v !== null && !(v instanceof Module) && Object.values(v).every((m) => m instanceof Module);
}

/**
 * Runs its modules one after another, each on the previous one's output.
 * Children are named '0', '1', … (or by the keys of a record passed as the
 * only argument), so parameters get PyTorch's names (`0.weight`).
 */
export class Sequential extends Module {
  private readonly order: string[] = [];

  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    Object.defineProperty(this, 'order', { enumerable: false });
    if (modules.length === 1 && isModuleRecord(modules[0])) {
      for (const [name, m] of Object.entries(modules[0])) this.add(name, m);
    } else {
      for (const m of modules as Module[]) {
        if (!(m instanceof Module)) throw new TsgradError(`Sequential: argument ${this.order.length} is not a Module`);
        this.append(m);
      }
    }
  }

  private add(name: string, m: Module): void {
    this.registerModule(name, m);
    this.order.push(name);
  }

  /** Adds a module at the end, named by its position; returns this. */
  append(m: Module): this {
    this.add(String(this.order.length), m);
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.order.length;
  }

  /** The module at position i (negative counts from the end). */
  at(i: number): Module {
    const j = i < 0 ? i + this.order.length : i;
    if (!Number.isInteger(j) || j < 0 || j >= this.order.length) throw new IndexError(`Sequential.at: index ${i} is out of range for ${this.order.length} modules`);
    return (this as unknown as Record<string, Module>)[this.order[j]!]!;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (let i = 0; i < this.order.length; i++) yield this.at(i);
  }

  protected override ownEntries(): ReturnType<Module['ownEntries']> {
    const e = super.ownEntries();
    // Registration order, not Object.keys order (which puts integer-like keys first).
    const self = this as unknown as Record<string, Module>;
    return { ...e, modules: this.order.map((n) => [n, self[n]!] as [string, Module]) };
  }

  forward(x: Tensor): Tensor {
    for (const m of this) x = m.forward(x);
    return x;
  }
}

/** A list of modules whose parameters are registered (named '0', '1', …); it has no forward of its own. */
export class ModuleList extends Module {
  private readonly items: Module[] = [];

  constructor(modules: Iterable<Module> = []) {
    super();
    Object.defineProperty(this, 'items', { enumerable: false });
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end; returns this. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TsgradError(`ModuleList.append: argument is not a Module`);
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.items.length;
  }

  /** The module at position i (negative counts from the end). */
  at(i: number): Module {
    const j = i < 0 ? i + this.items.length : i;
    const m = this.items[j];
    if (!m) throw new IndexError(`ModuleList.at: index ${i} is out of range for ${this.items.length} modules`);
    return m;
  }

  *[Symbol.iterator](): Iterator<Module> {
    yield* this.items;
  }

  protected override ownEntries(): ReturnType<Module['ownEntries']> {
    const e = super.ownEntries();
    return { ...e, modules: this.items.map((m, i) => [String(i), m] as [string, Module]) };
  }

  forward(): Tensor {
    throw new TsgradError('ModuleList has no forward(); iterate over it and call each module');
  }
}
