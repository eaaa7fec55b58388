/**
 * The x axis of a curve against epochs. Whole epochs get explicit integer ticks (vega otherwise
 * puts ticks at 1.5 on a 1–2 domain, and an integer format printed that as "2"); fractional
 * epochs (evaluations inside an epoch) get a format that never rounds a tick to an integer.
 */
export function epochAxis(xs: readonly number[]): { values?: number[]; format: string; tickMinStep?: number } {
  if (xs.length === 0 || !xs.every(Number.isInteger)) return { format: '~g' };
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  // Steps of 1, 2, 5, 10, 20, 50, ... so at most about 10 ticks.
  let step = 1;
  for (let k = 0; (hi - lo) / step > 10; k++) step = [2, 5, 10][k % 3]! * 10 ** Math.floor(k / 3);
  const values: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) values.push(v);
  if (values.length === 0) values.push(lo);
  return { values, format: 'd', tickMinStep: 1 };
}
