/**
 * The "linear data" exercise with plain tensors and tape autograd (no nn, no layers):
 * a 2 → 3 (ReLU) → 2 network learns targets that are the inputs rotated by 90°.
 *
 * Convention: column vectors. One sample x ∈ ℝ² maps to y = W₂·relu(W₁·x + b₁) + b₂
 * with W₁ [3, 2] and W₂ [2, 3]; the target is t = R·x with R = [[0, -1], [1, 0]]
 * (counter-clockwise by 90°: (x₁, x₂) ↦ (-x₂, x₁)). A batch is stored row-wise, X [N, 2],
 * so the code computes H = relu(X·W₁ᵀ + b₁), Y = H·W₂ᵀ + b₂, T = X·Rᵀ.
 *
 * The inputs lie in the positive quadrant [0, 1]², where the hidden units can stay
 * active (b₁ starts at 1 to make sure they do); the map is then linear,
 * Y = X·(W₂W₁)ᵀ + c, so a perfect fit means W₂·W₁ = R (and W₂·b₁ + b₂ = 0).
 * The optional Frobenius penalty λ(‖W₁‖²_F + ‖W₂‖²_F) keeps the weights small.
 *
 * Run: node dist/examples/linear-rotation.js [--steps 3000] [--lr 0.1] [--frobenius 0] [--n 256] [--seed 0]
 */
import { parseArgs } from 'node:util';
import * as tg from '../src/index.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '3000' },
    lr: { type: 'string', default: '0.1' },
    frobenius: { type: 'string', default: '0' },
    n: { type: 'string', default: '256' },
    seed: { type: 'string', default: '0' },
  },
});
const steps = Number(values.steps);
const lr = Number(values.lr);
const lambda = Number(values.frobenius);
const n = Number(values.n);
const g = new tg.Generator(Number(values.seed));

// Data: X uniform in [0, 1]², T = X·Rᵀ.
const R = tg.tensor([[0, -1], [1, 0]]);
const X = tg.rand([n, 2], { generator: g });
const T = X.matmul(R.t());

// Parameters: PyTorch's default Linear init, U(-1/√fan_in, 1/√fan_in).
const uniform = (shape: number[], fanIn: number): tg.Tensor =>
  tg.rand(shape, { generator: g }).mul(2).sub(1).mul(1 / Math.sqrt(fanIn)).requiresGrad_();
const W1 = uniform([3, 2], 2);
// b₁ starts at 1 so every hidden unit is active on the whole data set: a unit that is dead
// (relu = 0 everywhere) gets no gradient and the three units could no longer carry a linear map.
const b1 = tg.ones([3]).requiresGrad_();
const W2 = uniform([2, 3], 3);
const b2 = uniform([2], 3);
const params = [W1, b1, W2, b2];

const fmt = (m: tg.Tensor): string => (m.toArray() as number[][]).map((r) => `[${r.map((v) => v.toFixed(4).padStart(8)).join(' ')} ]`).join('\n');

for (let step = 0; step <= steps; step++) {
  const H = tg.relu(X.matmul(W1.t()).add(b1));
  const Y = H.matmul(W2.t()).add(b2);
  const mse = Y.sub(T).square().mean();
  const loss = lambda > 0 ? mse.add(W1.square().sum().add(W2.square().sum()).mul(lambda)) : mse;
  if (step % Math.max(1, Math.floor(steps / 10)) === 0) console.log(`step ${String(step).padStart(5)}  mse ${mse.item().toExponential(3)}`);
  if (step === steps) break;
  loss.backward();
  // The update by hand: p -= lr * p.grad, then zero the gradient for the next step.
  tg.noGrad(() => {
    for (const p of params) {
      p.sub_(p.grad!, lr);
      p.grad!.zero_();
    }
  });
}

const P = tg.noGrad(() => W2.matmul(W1));
console.log(`\nW₂·W₁ (column-vector convention; the 90° rotation is [[0, -1], [1, 0]]):\n${fmt(P)}`);
console.log(`max |W₂·W₁ - R| = ${tg.noGrad(() => P.sub(R).abs().max().item()).toExponential(3)}`);
