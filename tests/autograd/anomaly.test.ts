import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../src/index.js';

const isAnomaly = (re: RegExp) => (e: Error) => e.name === 'AnomalyError' && re.test(e.message);

test('detectAnomaly: names the forward op that first turned finite values non-finite, and where it was called', () => {
  const x = tg.tensor([1, 0, 2], { requiresGrad: true });
  assert.throws(() => tg.autograd.detectAnomaly(() => tg.log(x).mul(2).sum()), isAnomaly(/^detectAnomaly: log produced -Infinity in its forward pass \(element 1 of its \[3\] output\) from finite inputs of shapes \[3\]; called at .*anomaly\.test\.js/));
  // Restored afterwards; without it the same code runs through.
  assert.equal(tg.autograd.isAnomalyEnabled(), false);
  assert.equal(tg.log(x).sum().item(), -Infinity);
  // Also under noGrad (evaluation).
  assert.throws(() => tg.autograd.detectAnomaly(() => tg.noGrad(() => tg.div(tg.ones([2]), tg.zeros([2])))), isAnomaly(/div produced Infinity/));
});

test('detectAnomaly: names the op whose backward produced the non-finite gradient, not the ops inside it', () => {
  const y = tg.tensor([0, 1, 4], { requiresGrad: true });
  assert.throws(
    () => tg.autograd.detectAnomaly(() => tg.sqrt(y).sum().backward()),
    isAnomaly(/^detectAnomaly: the backward of sqrt produced Infinity in the gradient of its input 0 \(element 0 of shape \[3\]\) from a finite incoming gradient; the sqrt was called at .*anomaly\.test\.js/),
  );
});

test('detectAnomaly: non-finite inputs are not blamed on the op; a clean run is untouched; async and the global switch', async () => {
  const bad = tg.tensor([NaN, 1]);
  const r = tg.autograd.detectAnomaly(() => tg.mul(bad, 2));
  assert.ok(Number.isNaN((r.toTypedArray() as Float32Array)[0]!));
  const w = tg.tensor([1, 2], { requiresGrad: true });
  tg.autograd.detectAnomaly(() => tg.mul(w, w).sum().backward());
  assert.deepEqual(Array.from(w.grad!.toTypedArray()), [2, 4]);
  await assert.rejects(
    tg.autograd.detectAnomaly(async () => {
      await Promise.resolve();
      return tg.exp(tg.tensor([1000]));
    }),
    isAnomaly(/exp produced Infinity/),
  );
  assert.equal(tg.autograd.isAnomalyEnabled(), false);
  tg.autograd.setDetectAnomaly(true);
  try {
    assert.throws(() => tg.log(tg.zeros([1])), isAnomaly(/log produced -Infinity/));
  } finally {
    tg.autograd.setDetectAnomaly(false);
  }
});
