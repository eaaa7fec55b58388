import { TsgradError } from '../core/errors.js';
import { noGrad } from '../tensor/tape.js';
import { zeros } from '../tensor/creation.js';
import type { HookHandle, Module } from './module.js';

/** One row of a summary: a leaf layer, its output shape (batch shown as -1) and its own parameter count. */
export interface SummaryRow {
  name: string;
  type: string;
  outputShape: number[];
  params: number;
}

/**
 * Runs a batch of 2 zero inputs of shape [2, ...inputShape] through the model
 * (eval mode, no gradients, training flags restored afterwards, so running
 * statistics are untouched) and records every leaf layer's output shape.
 */
export function summaryRows(model: Module, inputShape: readonly number[], dtype: 'float32' | 'float64' | 'int32' = 'float32'): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const modes = [...model.modules()].map((m) => [m, m.training] as const);
  const handles: HookHandle[] = [];
  try {
    for (const [name, m] of model.namedModules()) {
      if (m === model || [...m.children()].length > 0) continue;
      const own = [...m.parameters(false)].reduce((a, p) => a + p.numel(), 0);
      handles.push(m.registerForwardHook((_m, _inputs, y) => {
        rows.push({ name, type: m.constructor.name, outputShape: [-1, ...y.shape.slice(1)], params: own });
      }));
    }
    model.eval();
    noGrad(() => model.forward(zeros([2, ...inputShape], { dtype })));
  } catch (e) {
    throw new TsgradError(`summary: running a [2, ${inputShape.join(', ')}] input through ${model.constructor.name} failed: ${(e as Error).message}`);
  } finally {
    for (const h of handles) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
  return rows;
}

/** A torchsummary-style table: layer (name and type), output shape and parameter count, then totals. */
export function summary(model: Module, inputShape: readonly number[], dtype: 'float32' | 'float64' | 'int32' = 'float32'): string {
  const rows = summaryRows(model, inputShape, dtype);
  const total = model.numParameters();
  const trainable = model.numParameters(true);
  const layerCol = Math.max(24, ...rows.map((r) => r.name.length + r.type.length + 3));
  const shapeCol = Math.max(20, ...rows.map((r) => JSON.stringify(r.outputShape).length));
  const width = layerCol + shapeCol + 15 + 4;
  const line = (a: string, b: string, c: string): string => `${a.padEnd(layerCol)}  ${b.padStart(shapeCol)}  ${c.padStart(15)}`;
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const out = [
    '-'.repeat(width),
    line('Layer (type)', 'Output Shape', 'Param #'),
    '='.repeat(width),
    ...rows.map((r) => line(`${r.name} (${r.type})`, `[${r.outputShape.join(', ')}]`, fmt(r.params))),
    '='.repeat(width),
    `Total params: ${fmt(total)}`,
    `Trainable params: ${fmt(trainable)}`,
    `Non-trainable params: ${fmt(total - trainable)}`,
    '-'.repeat(width),
  ];
  return out.join('\n');
}
