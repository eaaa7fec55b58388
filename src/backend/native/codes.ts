// Derived from the kernel table (src/backend/kernels.ts), which is where kernels and codes are
// listed now; kept so that code written against the old tables keeps compiling.
import { KERNELS, SUB_OP_CODES } from '../kernels.js';

/** @deprecated Use kernelSpec(name).code from src/backend/kernels.ts. Kernel numbers by PascalCase name. */
export const Kernel: Readonly<Record<string, number>> = Object.fromEntries(KERNELS.map((k) => [k.name[0]!.toUpperCase() + k.name.slice(1), k.code]));
/** @deprecated Use SUB_OP_CODES.unary from src/backend/kernels.ts. */
export const UNARY_CODE = SUB_OP_CODES.unary;
/** @deprecated Use SUB_OP_CODES.binary from src/backend/kernels.ts. */
export const BINARY_CODE = SUB_OP_CODES.binary;
/** @deprecated Use SUB_OP_CODES.reduce from src/backend/kernels.ts. */
export const REDUCE_CODE = SUB_OP_CODES.reduce;
/** @deprecated Use SUB_OP_CODES.activation from src/backend/kernels.ts. */
export const ACTIVATION_CODE = SUB_OP_CODES.activation;
