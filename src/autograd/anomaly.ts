import { anomalyMode, setAnomalyMode } from '../tensor/tape.js';

/**
 * Runs `fn` with anomaly detection on, like PyTorch's `torch.autograd.detect_anomaly()` context:
 * every recorded op checks its output, and every backward step the gradients it produces, and the
 * first one to turn finite values into NaN or ±Infinity throws an AnomalyError naming the op, the
 * element and shape, and where the op was called. The previous mode is restored afterwards (after
 * the promise settles when `fn` is async). Slow: every op scans its inputs and output.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyMode();
  setAnomalyMode(true);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    setAnomalyMode(prev);
    throw e;
  }
  if (result instanceof Promise) return result.finally(() => setAnomalyMode(prev)) as T;
  setAnomalyMode(prev);
  return result;
}

/** Turns anomaly detection on or off globally (the CLI's --detect-anomaly); see detectAnomaly. */
export function setDetectAnomaly(enabled: boolean): void {
  setAnomalyMode(enabled);
}

/** Whether anomaly detection is on. */
export function isAnomalyEnabled(): boolean {
  return anomalyMode();
}
