import { TsgradError } from '../core/errors.js';

/** Misuse of a hand-derived layer: backward before forward, a non-finite loss, a bad option. */
export class LayerError extends TsgradError {
  override name = 'LayerError';
}
