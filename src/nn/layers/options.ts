import type { DType } from '../../core/dtype.js';
import type { Generator } from '../../core/rng.js';

/** Options every layer with parameters takes. */
export interface LayerOptions {
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Generator for the initial weights (default: the process-wide seeded one). */
  generator?: Generator;
}

/** The dtype a layer's parameters get. */
export function layerDType(opts: LayerOptions): DType {
  return opts.dtype ?? 'float32';
}
