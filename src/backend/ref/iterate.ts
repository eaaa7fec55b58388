/**
 * Walks the rows (last dimension) of several strided views of one shape at
 * once, calling `row(offsets, length)` with the offset of each row's first
 * element in every view. Kernels then step each view by its last stride.
 */
export function forEachRow(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  offsets: readonly number[],
  row: (offs: number[], len: number) => void,
): void {
  const nd = shape.length;
  const k = strides.length;
  const offs = offsets.slice();
  if (nd === 0) {
    row(offs, 1);
    return;
  }
  for (const s of shape) if (s === 0) return;
  const len = shape[nd - 1]!;
  const outer = nd - 1;
  const idx = new Array<number>(outer).fill(0);
  let rows = 1;
  for (let d = 0; d < outer; d++) rows *= shape[d]!;
  for (let r = 0; r < rows; r++) {
    row(offs, len);
    // Advance the odometer over the outer dims, carrying into slower dims.
    for (let d = outer - 1; d >= 0; d--) {
      idx[d]!++;
      for (let v = 0; v < k; v++) offs[v]! += strides[v]![d]!;
      if (idx[d]! < shape[d]!) break;
      idx[d] = 0;
      for (let v = 0; v < k; v++) offs[v]! -= strides[v]![d]! * shape[d]!;
    }
  }
}

/** Last-dimension stride of a view (0 for 0-d views). */
export function innerStride(strides: readonly number[]): number {
  return strides.length === 0 ? 0 : strides[strides.length - 1]!;
}
