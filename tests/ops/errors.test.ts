// Bad input: every error names the op, the shapes / dtypes / values, and what was expected.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { randd, testBackends, withBackend } from '../helpers.js';

/** Asserts fn throws an error of class `cls` whose message equals `msg` exactly. */
function throwsExactly(fn: () => unknown, cls: new (...a: never[]) => Error, msg: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal((e as Error).message, msg);
    return true;
  });
}

const i32 = (v: number[], shape?: number[]) => tg.tensor(Int32Array.from(v), shape ? { shape } : {});

for (const backend of testBackends()) {
  describe(`bad input [${backend}]`, () => {
    const run = (fn: () => void) => () => withBackend(backend, fn);

    it('shape mismatches name the op and the shapes', run(() => {
      throwsExactly(() => tg.zeros([2, 3]).matmul(tg.zeros([4, 5])), tg.ShapeError, 'matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ');
      throwsExactly(() => tg.zeros([3]).matmul(tg.zeros([4])), tg.ShapeError, 'matmul: [1,3] @ [4,1]: inner dimensions 3 and 4 differ');
      throwsExactly(() => tg.zeros([2, 2, 3]).matmul(tg.zeros([3, 3, 1])), tg.ShapeError, 'matmul: shapes [2] and [3] cannot be broadcast: dimension 0 is 2 vs 3');
      throwsExactly(() => tg.zeros([]).matmul(tg.zeros([2])), tg.ShapeError, 'matmul: both operands need at least 1 dim, got [] @ [2]');
      throwsExactly(() => tg.zeros([2, 3]).add(tg.zeros([4])), tg.ShapeError, 'add: shapes [2,3] and [4] cannot be broadcast: dimension 1 is 3 vs 4');
      throwsExactly(() => tg.zeros([2, 3]).mul(tg.zeros([3, 3])), tg.ShapeError, 'mul: shapes [2,3] and [3,3] cannot be broadcast: dimension 0 is 2 vs 3');
      throwsExactly(() => tg.sub(tg.zeros([5]), tg.zeros([2, 4])), tg.ShapeError, 'sub: shapes [5] and [2,4] cannot be broadcast: dimension 1 is 5 vs 4');
      throwsExactly(() => tg.zeros([2]).div(tg.zeros([3])), tg.ShapeError, 'div: shapes [2] and [3] cannot be broadcast: dimension 0 is 2 vs 3');
      throwsExactly(() => tg.where(tg.tensor([true, false]), tg.zeros([3]), 0), tg.ShapeError, 'where: shapes [2] and [3] cannot be broadcast: dimension 0 is 2 vs 3');
      throwsExactly(() => tg.zeros([2, 3]).reshape([4, 4]), tg.ShapeError, 'reshape: shape [4,4] is invalid for input of shape [2,3] (6 elements)');
      throwsExactly(() => tg.zeros([2, 3]).reshape([-1, 4]), tg.ShapeError, 'reshape: shape [-1,4] is invalid for input of shape [2,3] (6 elements)');
      throwsExactly(() => tg.zeros([2, 3]).view([-1, -1]), tg.ShapeError, 'view: only one dimension can be -1, got [-1,-1]');
      throwsExactly(() => tg.zeros([2, 3]).t().view([6]), tg.ShapeError, 'view: shape [6] cannot view a non-contiguous tensor of shape [3,2]; use reshape() or contiguous()');
      throwsExactly(() => tg.zeros([2, 3]).expand([2, 4]), tg.ShapeError, 'expand: cannot expand [2,3] to [2,4]: dimension 1 is 3 (must be 1 or 4)');
      throwsExactly(() => tg.zeros([2, 3]).expand([3]), tg.ShapeError, 'expand: cannot expand [2,3] to [3]: the target has fewer dimensions');
      throwsExactly(() => tg.zeros([3]).expand([-1, 3]), tg.ShapeError, 'expand: cannot expand [3] to [-1,3]: -1 is not allowed in a new leading dimension');
      throwsExactly(() => tg.zeros([2, 3]).permute([0]), tg.ShapeError, 'permute: expected 2 dims for shape [2,3], got [0]');
      throwsExactly(() => tg.cat([tg.zeros([2, 3]), tg.zeros([2, 4])], 0), tg.ShapeError, 'cat: tensor 1 has shape [2,4] but tensor 0 has [2,3]; all dims except 0 must match');
      throwsExactly(() => tg.stack([tg.zeros([2]), tg.zeros([3])]), tg.ShapeError, 'stack: tensor 1 has shape [3] but tensor 0 has [2]; all must match');
      throwsExactly(() => tg.cat([]), tg.ShapeError, 'cat: expected a non-empty list of tensors');
      throwsExactly(() => tg.zeros([2, 3, 4]).t(), tg.ShapeError, 't: expects a tensor with at most 2 dims, got shape [2,3,4]');
      throwsExactly(() => tg.linear(tg.zeros([2, 3]), tg.zeros([4, 5])), tg.ShapeError, 'linear: input [2,3] has 3 features but weight [4,5] expects 5');
      throwsExactly(() => tg.tensor([[1, 2], [3]]), tg.ShapeError, 'tensor: ragged nested array: expected length 2 at depth 1 of shape [2,2]');
      throwsExactly(() => tg.tensor(new Float32Array(5), { shape: [2, 3] }), tg.ShapeError, 'tensor: shape [2,3] holds 6 elements but the array has 5');
      throwsExactly(() => tg.zeros([2, -1]), tg.ShapeError, 'full: invalid shape [2,-1]: sizes must be non-negative integers');
      throwsExactly(() => tg.zeros([2]).backward(tg.ones([3])), tg.AutogradError, 'backward: the tensor of shape [2] does not require grad and has no gradFn');
      const x = tg.zeros([2], { requiresGrad: true });
      throwsExactly(() => x.mul(2).backward(tg.ones([3])), tg.ShapeError, "backward: gradient of shape [3] does not match the output's shape [2]");
    }));

    it('conv2d and pooling geometry errors', run(() => {
      throwsExactly(() => tg.conv2d(tg.zeros([1, 3, 5, 5]), tg.zeros([4, 2, 3, 3])), tg.ShapeError,
        'conv2d: input [1,3,5,5] has 3 channels but weight [4,2,3,3] expects 2 (2 per group × 1 groups)');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 4, 5, 5]), tg.zeros([4, 2, 3, 3]), null, { groups: 3 }), tg.ShapeError,
        'conv2d: groups=3 must divide input channels 4 and output channels 4');
      throwsExactly(() => tg.conv2d(tg.zeros([3, 5, 5]), tg.zeros([4, 3, 3, 3])), tg.ShapeError, 'conv2d: expected a 4-d input [N, C, H, W], got [3,5,5]');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 3, 5, 5]), tg.zeros([4, 3, 3])), tg.ShapeError, 'conv2d: weight must be 4-d [out, in/groups, kh, kw], got [4,3,3]');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 3, 2, 2]), tg.zeros([4, 3, 3, 3])), tg.ShapeError,
        'conv2d: input [1,3,2,2] is too small for kernel 3x3 with padding 0, stride 1, dilation 1: output size would be 0');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 3, 5, 5]), tg.zeros([4, 3, 3, 3]), tg.zeros([3])), tg.ShapeError, 'conv2d: bias must be [4], got [3]');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 3, 5, 5]), tg.zeros([4, 3, 3, 3]), null, { stride: 0 }), tg.ShapeError, 'conv2d: stride must be integers >= 1, got 0');
      throwsExactly(() => tg.maxPool2d(tg.zeros([1, 1, 4, 4]), 2, { padding: 2 }), tg.ShapeError, 'maxPool2d: padding [2,2] must be at most half the kernel [2,2]');
      throwsExactly(() => tg.avgPool2d(tg.zeros([1, 4, 4]), 2), tg.ShapeError, 'avgPool2d: expected a 4-d input [N, C, H, W], got [1,4,4]');
      throwsExactly(() => tg.maxPool2d(tg.zeros([1, 1, 1, 4]), 2), tg.ShapeError,
        'maxPool2d: input [1,1,1,4] is too small for kernel 2x2 with padding 0, stride 2, dilation 1: output size would be 0');
    }));

    it('dtype mismatches', run(() => {
      throwsExactly(() => tg.zeros([2, 2]).matmul(tg.zeros([2, 2], { dtype: 'float64' })), tg.DTypeError, 'matmul: dtypes differ: float32 @ float64; convert one with .to()');
      throwsExactly(() => tg.zeros([2, 2], { dtype: 'int32' }).matmul(tg.zeros([2, 2], { dtype: 'int32' })), tg.DTypeError, 'matmul: expected float32 or float64 operands, got int32');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 1, 3, 3]), tg.zeros([1, 1, 2, 2], { dtype: 'float64' })), tg.DTypeError, 'conv2d: input is float32 but weight is float64');
      throwsExactly(() => tg.conv2d(tg.zeros([1, 1, 3, 3], { dtype: 'int32' }), tg.zeros([1, 1, 2, 2], { dtype: 'int32' })), tg.DTypeError, 'conv2d: expected float32 or float64 input and weight, got int32');
      throwsExactly(() => tg.bmm(tg.zeros([2, 2, 3]), tg.zeros([3, 3, 2])), tg.ShapeError, 'bmm: batch sizes differ: [2,2,3] and [3,3,2]');
      throwsExactly(() => tg.bmm(tg.zeros([2, 3]), tg.zeros([2, 3, 2])), tg.ShapeError, 'bmm: expected 3-d tensors, got [2,3] and [2,3,2]');
      throwsExactly(() => tg.zeros([3]).clamp(), TypeError, 'clamp: at least one of min and max must be given');
      throwsExactly(() => tg.zeros([3]).clamp_(null, null), TypeError, 'clamp_: at least one of min and max must be given');
      throwsExactly(() => tg.zeros([3]).gather(0, tg.zeros([2])), tg.DTypeError, 'gather: index must be int32, got float32');
      throwsExactly(() => tg.zeros([3]).indexSelect(0, tg.zeros([2], { dtype: 'float64' })), tg.DTypeError, 'indexSelect: index must be int32, got float64');
      throwsExactly(() => tg.zeros([3]).scatterAdd(0, tg.tensor([true]), tg.zeros([1])), tg.DTypeError, 'scatterAdd: index must be int32, got bool');
      throwsExactly(() => tg.oneHot(tg.zeros([2]), 3), tg.DTypeError, 'oneHot: index must be int32, got float32');
      throwsExactly(() => tg.zeros([2], { dtype: 'int32', requiresGrad: true }), tg.DTypeError, 'requiresGrad: only float32 and float64 tensors can require gradients, got int32');
      throwsExactly(() => { tg.tensor([true]).requiresGrad = true; }, tg.DTypeError, 'requiresGrad: only float32 and float64 tensors can require gradients, got bool');
      throwsExactly(() => tg.where(tg.zeros([2]), 1, 0), tg.DTypeError, 'where: condition must be bool, got float32');
      throwsExactly(() => tg.tensor([true]).neg(), tg.DTypeError, 'neg: negation of a bool tensor is not supported; use logicalNot()');
      throwsExactly(() => tg.tensor([true]).sub(tg.tensor([false])), tg.DTypeError, 'sub: subtraction of two bool tensors is not supported; use ne() (logical xor) instead');
      throwsExactly(() => tg.zeros([2], { dtype: 'int32' }).var(), tg.DTypeError, 'var: expected a float tensor, got int32');
      throwsExactly(() => tg.randn([2], { dtype: 'int32' }), tg.DTypeError, 'randn: dtype must be float32 or float64, got int32');
      throwsExactly(() => tg.zeros([2], { dtype: 'float16' as tg.DType }), TypeError, 'full: unknown dtype "float16"; expected float32, float64, int32 or bool');
      throwsExactly(() => tg.zeros([2]).to('int8' as tg.DType), TypeError, 'to: unknown dtype "int8"; expected float32, float64, int32 or bool');
    }));

    it('out-of-range dims and indices', run(() => {
      const x = tg.zeros([2, 3]);
      throwsExactly(() => x.sum(5), tg.IndexError, 'sum: dimension 5 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.sum(-3), tg.IndexError, 'sum: dimension -3 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.sum([0, 0]), tg.IndexError, 'sum: dimension repeated in [0,0]');
      throwsExactly(() => x.mean(2), tg.IndexError, 'mean: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.max(2), tg.IndexError, 'max: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.softmax(2), tg.IndexError, 'softmax: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.argmax(-3), tg.IndexError, 'argmax: dimension -3 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.transpose(0, 2), tg.IndexError, 'transpose: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.unsqueeze(4), tg.IndexError, 'unsqueeze: dimension 4 out of range for a 3-d tensor (expected in [-3, 2])');
      throwsExactly(() => x.permute([0, 0]), tg.IndexError, 'permute: repeated dim in [0,0]');
      throwsExactly(() => x.select(1, 3), tg.IndexError, 'select: index 3 out of range for dimension 1 of size 3 (shape [2,3])');
      throwsExactly(() => x.select(0, -3), tg.IndexError, 'select: index -3 out of range for dimension 0 of size 2 (shape [2,3])');
      throwsExactly(() => x.select(2, 0), tg.IndexError, 'select: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.narrow(1, 2, 2), tg.IndexError, 'narrow: start 2 and length 2 out of range for dimension 1 of size 3 (shape [2,3])');
      throwsExactly(() => x.narrow(0, -3, 1), tg.IndexError, 'narrow: start -3 and length 1 out of range for dimension 0 of size 2 (shape [2,3])');
      throwsExactly(() => x.slice(1, 0, 3, 0), tg.IndexError, 'slice: step must be a positive integer, got 0');
      throwsExactly(() => x.indexSelect(1, i32([0, 3])), tg.IndexError, 'indexSelect: index 3 is out of range for dimension 1 of size 3 (expected 0 to 2)');
      throwsExactly(() => x.indexSelect(0, i32([-1])), tg.IndexError, 'indexSelect: index -1 is out of range for dimension 0 of size 2 (expected 0 to 1)');
      throwsExactly(() => x.indexSelect(0, i32([0, 1], [1, 2])), tg.ShapeError, 'indexSelect: index must be 1-d, got [1,2]');
      throwsExactly(() => x.gather(1, i32([0, 5], [2, 1])), tg.IndexError, 'gather: index 5 is out of range for dimension 1 of size 3 (expected 0 to 2)');
      throwsExactly(() => x.gather(1, i32([0, 1], [2])), tg.ShapeError, 'gather: index [2] must have the rank of input [2,3] and no larger size outside dim 1');
      throwsExactly(() => x.scatterAdd(0, i32([2], [1, 1]), tg.ones([1, 1])), tg.IndexError, 'scatterAdd: index 2 is out of range for dimension 0 of size 2 (expected 0 to 1)');
      throwsExactly(() => tg.oneHot(i32([0, 3]), 3), tg.IndexError, 'oneHot: index 3 is out of range for numClasses 3 (expected 0 to 2)');
      throwsExactly(() => tg.oneHot(i32([0]), 0), RangeError, 'oneHot: numClasses must be a positive integer, got 0');
      throwsExactly(() => x.size(2), tg.IndexError, 'size: dimension 2 out of range for a 2-d tensor (expected in [-2, 1])');
      throwsExactly(() => x.item(), tg.IndexError, 'item: only one-element tensors can be converted to a number, got shape [2,3]');
      throwsExactly(() => tg.zeros([0, 3]).max(0), tg.IndexError, 'max: cannot reduce over an empty dimension of shape [0,3]');
      throwsExactly(() => tg.zeros([0]).argmax(), tg.IndexError, 'argmax: empty tensor');
      throwsExactly(() => tg.zeros([1]).flatten(1, 0), tg.IndexError, 'flatten: dimension 1 out of range for a 1-d tensor (expected in [-1, 0])');
    }));

    it('autograd misuse', run(() => {
      const x = tg.tensor([1, 2], { requiresGrad: true });
      throwsExactly(() => x.mul(2).backward(), tg.AutogradError,
        'backward: a gradient can only be created implicitly for a one-element output, got shape [2]; pass one, e.g. y.backward(tg.onesLike(y))');
      const y = x.exp().sum();
      y.backward();
      throwsExactly(() => y.backward(), tg.AutogradError,
        'backward: trying to backward through the graph a second time (at sum); its saved values were freed after the first backward. Pass {retainGraph: true} to the first backward if you need to do this.');
      throwsExactly(() => x.add_(1), tg.AutogradError,
        'add_: a leaf tensor that requires grad cannot be modified in place while gradients are recorded; do it inside noGrad()');
      throwsExactly(() => x.mul(2).mul_(3), tg.AutogradError,
        'mul_: in-place modification of a tensor that is part of the autograd graph is not supported; use the out-of-place form');
      const saved = tg.tensor([3, 4]);
      const z = x.mul(saved).sum();
      saved.zero_();
      throwsExactly(() => z.backward(), tg.AutogradError,
        'backward: a tensor of shape [2] saved by mul was modified by an in-place operation (version 0 when saved, 1 now); its old value is needed for the gradient. Use an out-of-place op (e.g. add instead of add_) or clone the tensor first.');
      throwsExactly(() => tg.zeros([3]).expand([2, 3]).add_(1), tg.ShapeError, 'add_: cannot write in place into an expanded (broadcast) tensor of shape [2,3]; clone() it first');
      throwsExactly(() => tg.zeros([3]).add_(tg.ones([2, 3])), tg.ShapeError, "add_: operand of shape [2,3] does not broadcast to the in-place target's shape [3]");
      throwsExactly(() => { x.mul(2).requiresGrad = false; }, tg.AutogradError, 'requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()');
      throwsExactly(() => tg.zeros([2]).retainGrad(), tg.AutogradError, "retainGrad: tensor doesn't require grad");
    }));

    it('gradcheck failure names the input, the element, and both values', run(() => {
      // d/dx of x² is 2x; this Function claims 3x, so the first element of input 1 is caught.
      class WrongSquare extends tg.Function {
        static override forward(ctx: tg.FunctionCtx, x: tg.Tensor): tg.Tensor {
          ctx.saveForBackward(x);
          return x.mul(x);
        }
        static override backward(ctx: tg.FunctionCtx, g: tg.Tensor): tg.Tensor[] {
          return [g.mul(ctx.savedTensors[0]!).mul(3)];
        }
      }
      const a = tg.tensor([[1, 2]], { dtype: 'float64', requiresGrad: true });
      const b = tg.tensor([[0.5, -1], [2, 4]], { dtype: 'float64', requiresGrad: true });
      assert.throws(() => tg.gradcheck((p, q) => p.add(WrongSquare.apply(q)), [a, b]), (e: unknown) => {
        assert.ok(e instanceof tg.AutogradError);
        const m = /^gradcheck: mismatch for input 1 \(shape \[2,2\]\) at element \[0,0\], output element \[0,0\]: analytic 1.5, numeric (\S+)$/.exec((e as Error).message);
        assert.ok(m, (e as Error).message);
        assert.ok(Math.abs(Number(m[1]) - 1) < 1e-6, `numeric ${m[1]} should be 2·0.5 = 1`);
        return true;
      });
      throwsExactly(() => tg.gradcheck((p) => p.mul(2), [tg.ones([2], { requiresGrad: true })]), tg.DTypeError,
        'gradcheck: input 0 is float32; finite differences need float64 inputs');
      throwsExactly(() => tg.gradcheck((p) => p.mul(2), [tg.ones([2], { dtype: 'float64' })]), tg.AutogradError, 'gradcheck: no input requires grad');
      // A Function whose backward returns the wrong number of gradients.
      class TooFew extends tg.Function {
        static override forward(_ctx: tg.FunctionCtx, x: tg.Tensor, _y: tg.Tensor): tg.Tensor {
          return x.clone();
        }
        static override backward(_ctx: tg.FunctionCtx, g: tg.Tensor): tg.Tensor[] {
          return [g];
        }
      }
      throwsExactly(() => TooFew.apply(randd([2], 1), randd([2], 2)).sum().backward(), tg.AutogradError,
        'TooFew.backward returned 1 gradients but forward took 2 arguments');
    }));
  });
}
