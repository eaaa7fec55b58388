import type { FitResult } from './trainer.js';

/** "1 epoch", "2 epochs", "0.68 epochs": the count (at most two decimals) and the word, plural unless exactly 1. */
export function plural(n: number, word: string): string {
  const shown = Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
  return `${shown} ${word}${n === 1 ? '' : 's'}`;
}

/** Where evaluation point k lies, in words: "epoch 2", or "step 32 (epoch 0.68)" inside an epoch. */
export function pointName(r: FitResult, k: number): string {
  const e = r.epoch[k];
  if (e === undefined) return 'no point';
  return Number.isInteger(e) ? `epoch ${e}` : `step ${r.step[k]} (epoch ${(Math.round(e * 100) / 100).toFixed(2)})`;
}

/** The closing line of `tsgrad train`: final test accuracy and loss, with the highest accuracy and the lowest loss and where. */
export function trainSummary(r: FitResult): string {
  const last = r.testAcc.length - 1;
  if (last < 0) return 'no evaluation point';
  const pct = (v: number | undefined) => `${(100 * (v ?? NaN)).toFixed(2)}%`;
  let hi = 0;
  let lo = 0;
  r.testAcc.forEach((a, k) => {
    if (a > r.testAcc[hi]!) hi = k;
  });
  r.testLoss.forEach((l, k) => {
    if (l < r.testLoss[lo]!) lo = k;
  });
  const b = r.bestIndex;
  // The point chosen on validation data, and its test numbers (reported, not used to choose).
  const chosen = r.valLoss && b >= 0 ? `\nbest by validation loss: ${pointName(r, b)}, validation loss ${(r.valLoss[b] ?? NaN).toFixed(4)} accuracy ${pct(r.valAcc?.[b])}, test accuracy there ${pct(r.testAcc[b])}` : '';
  return (
    `test accuracy ${pct(r.testAcc[last])} (highest ${pct(r.testAcc[hi])} at ${pointName(r, hi)}), ` +
    `test loss ${(r.testLoss[last] ?? NaN).toFixed(4)} (lowest ${(r.testLoss[lo] ?? NaN).toFixed(4)} at ${pointName(r, lo)})` +
    chosen
  );
}
