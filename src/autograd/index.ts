export { backward, type BackwardOptions } from './engine.js';
export { Function, FunctionCtx, type FunctionArg, type FunctionClass } from './function.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './anomaly.js';
export { AnomalyError } from '../core/errors.js';
