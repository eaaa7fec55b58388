import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { randd } from '../helpers.js';

describe('GELU', () => {
  it('erf matches reference values to double precision', () => {
    // Values from Python's math.erf.
    const ref: [number, number][] = [
      [0, 0], [1e-8, 1.1283791670955126e-8], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [-3, -0.9999779095030014], [4.5, 0.9999999998033839], [7, 1],
    ];
    for (const [x, e] of ref) assert.ok(Math.abs(nn.functional.erf(x) - e) <= 2e-16 + 1e-15 * Math.abs(e), `erf(${x}) = ${nn.functional.erf(x)}, expected ${e}`);
  });

  it('the exact GELU Function and the tanh approximation pass gradcheck in float64', () => {
    tg.gradcheck((x) => nn.functional.gelu(x!), [randd([3, 5], 31).mul(3).detach().requiresGrad_()]);
    tg.gradcheck((x) => nn.functional.gelu(x!, 'tanh'), [randd([3, 5], 32)]);
  });

  it('refuses integer input', () => {
    assert.throws(() => new nn.GELU().forward(tg.tensor([1, 2], { dtype: 'int32' })), /gelu: expected a float32 or float64 input, got int32/);
  });
});
