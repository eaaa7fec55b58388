import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose } from '../helpers.js';
import { T, fixture, type TJ } from './fixtures.js';

interface LossCase {
  name: string;
  fn: 'crossEntropy' | 'nllLoss' | 'mseLoss' | 'l1Loss' | 'binaryCrossEntropy' | 'binaryCrossEntropyWithLogits';
  opts: { reduction?: nn.functional.Reduction; weight?: TJ; labelSmoothing?: number; ignoreIndex?: number };
  input: TJ;
  target: TJ;
  output: TJ;
  w: TJ;
  grad: TJ;
}

const cases = fixture<LossCase[]>('losses.json');
const F = nn.functional;

function run(c: LossCase, dtype: 'float32' | 'float64', x: tg.Tensor): tg.Tensor {
  const t = T(c.target, dtype);
  const r = c.opts.reduction ?? 'mean';
  const weight = c.opts.weight ? T(c.opts.weight, dtype) : undefined;
  switch (c.fn) {
    case 'crossEntropy':
      return F.crossEntropy(x, t, { reduction: r, weight, labelSmoothing: c.opts.labelSmoothing, ignoreIndex: c.opts.ignoreIndex });
    case 'nllLoss':
      return F.nllLoss(x, t, { reduction: r, weight, ignoreIndex: c.opts.ignoreIndex });
    default:
      return F[c.fn](x, t, r);
  }
}

describe('losses against PyTorch (value and input gradient)', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const tol = dtype === 'float64' ? { atol: 1e-10, rtol: 1e-8 } : { atol: 1e-5, rtol: 1e-4 };
    for (const c of cases) {
      it(`${c.name} ${dtype}`, () => {
        const x = T(c.input, dtype).requiresGrad_();
        const y = run(c, dtype, x);
        assertClose(y, T(c.output), { ...tol, msg: `${c.name} value` });
        y.mul(T(c.w, dtype)).sum().backward();
        assertClose(x.grad!, T(c.grad), { ...tol, msg: `${c.name} grad` });
      });
    }
  }

  it('loss modules call the same functions', () => {
    const c = cases.find((k) => k.name === 'ce_smooth_mean')!;
    const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(T(c.input), T(c.target));
    assertClose(loss, T(c.output), { atol: 1e-10 });
    const m = cases.find((k) => k.name === 'mse_sum')!;
    assertClose(new nn.MSELoss('sum').forward(T(m.input), T(m.target)), T(m.output), { atol: 1e-10 });
    const n = cases.find((k) => k.name === 'nll_mean')!;
    assertClose(new nn.NLLLoss().forward(T(n.input), T(n.target)), T(n.output), { atol: 1e-10 });
  });

  it('every loss takes { reduction } as well as the positional string, in functional and module form', () => {
    const modules = {
      crossEntropy: nn.CrossEntropyLoss, nllLoss: nn.NLLLoss, mseLoss: nn.MSELoss, l1Loss: nn.L1Loss,
      binaryCrossEntropy: nn.BCELoss, binaryCrossEntropyWithLogits: nn.BCEWithLogitsLoss,
    } as const;
    let checked = 0;
    for (const c of cases) {
      // Plain cases only: weights, smoothing and ignoreIndex have their own tests above.
      if (c.opts.weight || c.opts.labelSmoothing || c.opts.ignoreIndex !== undefined || !c.opts.reduction) continue;
      const r = c.opts.reduction;
      const x = T(c.input);
      const t = T(c.target);
      const forms = [
        F[c.fn](x, t, r), F[c.fn](x, t, { reduction: r }),
        new modules[c.fn](r).forward(x, t), new modules[c.fn]({ reduction: r }).forward(x, t),
      ];
      for (const [i, y] of forms.entries()) assertClose(y, T(c.output), { atol: 1e-10, msg: `${c.name} form ${i}` });
      checked++;
    }
    assert.ok(checked >= 12, `only ${checked} plain loss cases`);
    assert.throws(() => F.mseLoss(tg.zeros([2]), tg.zeros([2]), { reduction: 'avg' as 'mean' }), /mseLoss: reduction must be 'mean', 'sum' or 'none', got 'avg'/);
    assert.equal(new nn.L1Loss({}).reduction, 'mean');
  });

  it('gives clear errors for bad targets', () => {
    const logits = tg.zeros([3, 4]);
    assert.throws(() => F.crossEntropy(logits, tg.tensor([0, 4, 1], { dtype: 'int32' })), /crossEntropy: target 4 at position 1 is out of range for 4 classes \(expected 0\.\.3\)/);
    assert.throws(() => F.crossEntropy(logits, tg.tensor([0, -1, 1], { dtype: 'int32' })), /target -1 at position 1 is out of range/);
    assert.throws(() => F.crossEntropy(logits, tg.tensor([0, 1], { dtype: 'int32' })), /needs a target of shape \[3\], got \[2\]/);
    assert.throws(() => F.crossEntropy(logits, tg.tensor([0, 1, 2])), /probability targets must have the logits' shape \[3,4\], got \[3\]/);
    assert.throws(() => F.nllLoss(logits, tg.tensor([0, 1, 2])), /nllLoss: class targets must be int32/);
    assert.throws(() => F.crossEntropy(logits, tg.tensor([0, 1, 2], { dtype: 'int32' }), { weight: tg.ones([3]) }), /weight must have one entry per class, \[4\], got \[3\]/);
    assert.throws(() => F.mseLoss(tg.zeros([3, 1]), tg.zeros([3])), /mseLoss: input \[3,1\] and target \[3\] must have the same shape/);
    assert.throws(() => F.crossEntropy(logits, tg.tensor([0, 1, 2], { dtype: 'int32' }), { reduction: 'avg' as 'mean' }), /reduction must be 'mean', 'sum' or 'none', got 'avg'/);
  });

  it('averages to NaN, like PyTorch, when every target is ignored', () => {
    const loss = F.crossEntropy(tg.zeros([2, 3]), tg.tensor([-100, -100], { dtype: 'int32' }));
    assert.ok(Number.isNaN(loss.item()));
  });
});
