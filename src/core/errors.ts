/** Base class of every error tsgrad throws on bad input; messages name the op and what was expected. */
export class TsgradError extends Error {
  override name = 'TsgradError';
}

/** Shapes that do not fit together (broadcasting, matmul, reshape, ...). */
export class ShapeError extends TsgradError {
  override name = 'ShapeError';
}

/** A dtype the op cannot take. */
export class DTypeError extends TsgradError {
  override name = 'DTypeError';
}

/** A dimension or index out of range. */
export class IndexError extends TsgradError {
  override name = 'IndexError';
}

/** Misuse of autograd: backward on a non-scalar, a freed graph, an in-place change of a saved tensor. */
export class AutogradError extends TsgradError {
  override name = 'AutogradError';
}

/** Anomaly mode caught an op producing NaN or ±Infinity from finite values (forward or backward). */
export class AnomalyError extends AutogradError {
  override name = 'AnomalyError';
}

/** Formats a shape the way error messages show it: [2,3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
