import { TsgradError } from '../core/errors.js';

/** A data file or directory that is missing, truncated, corrupt or of the wrong format; the message names the file. */
export class DataError extends TsgradError {
  override name = 'DataError';
}
