import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { assertClose, flat } from '../helpers.js';

class Block extends nn.Module {
  conv = new nn.Conv2d(2, 3, 1);
  bn = new nn.BatchNorm2d(3);
  scale: nn.Parameter;
  cache: tg.Tensor = tg.zeros([1]); // a plain tensor field: neither parameter nor buffer
  constructor() {
    super();
    this.scale = new nn.Parameter(tg.ones([3]));
    this.registerBuffer('step_count', tg.zeros([1]));
    this.registerBuffer('scratch', tg.zeros([2]), false);
  }
  forward(x: tg.Tensor): tg.Tensor {
    return this.bn.forward(this.conv.forward(x)).mul(this.scale.reshape([1, 3, 1, 1]));
  }
}

class Tied extends nn.Module {
  a = new nn.Linear(3, 3);
  b = new nn.Linear(3, 3);
  constructor() {
    super();
    this.b.weight = this.a.weight;
  }
  forward(x: tg.Tensor): tg.Tensor {
    return this.b.forward(this.a.forward(x));
  }
}

describe('Module: registration by field walking', () => {
  // Expected orders are PyTorch's output for the same module (own entries first, then each child's).
  it('names parameters, buffers and modules like PyTorch, in declaration order', () => {
    const m = new Block();
    assert.deepEqual([...m.namedParameters()].map(([n]) => n), ['scale', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias']);
    assert.deepEqual([...m.namedBuffers()].map(([n]) => n), ['step_count', 'scratch', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    // State dict: each module's parameters, then its persistent buffers, then its children (PyTorch's order).
    assert.deepEqual([...m.stateDict().keys()], [
      'scale', 'step_count', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked',
    ]);
    assert.deepEqual([...m.namedModules()].map(([n, x]) => `${n}:${x.constructor.name}`), [':Block', 'conv:Conv2d', 'bn:BatchNorm2d']);
    assert.deepEqual([...m.namedChildren()].map(([n]) => n), ['conv', 'bn']);
    assert.equal(m.numParameters(), 2 * 3 + 3 + 3 + 3 + 3);
  });

  it('lists a shared parameter once, but the state dict keeps both names', () => {
    const m = new Tied();
    assert.deepEqual([...m.namedParameters()].map(([n]) => n), ['a.weight', 'a.bias', 'b.bias']);
    assert.deepEqual([...m.stateDict().keys()], ['a.weight', 'a.bias', 'b.weight', 'b.bias']);
  });

  it('refuses plain arrays of modules, pointing to ModuleList', () => {
    class Bad extends nn.Module {
      layers = [new nn.Linear(2, 2)];
      forward(x: tg.Tensor): tg.Tensor {
        return x;
      }
    }
    assert.throws(() => [...new Bad().parameters()], /Bad\.layers: an array of modules or parameters is not registered; use a ModuleList/);
    assert.throws(() => new Block().registerBuffer('a.b', null), /"a\.b" is not a valid parameter, buffer or module name/);
  });

  it('Sequential and ModuleList name children 0, 1, … (also past 9), or by record keys', () => {
    const layers = Array.from({ length: 11 }, () => new nn.Linear(1, 1));
    const s = new nn.Sequential(...layers);
    assert.deepEqual([...s.namedParameters()].map(([n]) => n).filter((n) => n.endsWith('weight')), layers.map((_, i) => `${i}.weight`));
    assert.equal(s.at(-1), layers[10]);
    const named = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.ReLU(), out: new nn.Linear(2, 1) });
    assert.deepEqual([...named.stateDict().keys()], ['fc.weight', 'fc.bias', 'out.weight', 'out.bias']);
    const ml = new nn.ModuleList([new nn.Linear(1, 2)]).append(new nn.Linear(2, 1));
    assert.deepEqual([...ml.namedParameters()].map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias']);
    assert.throws(() => ml.forward(), /ModuleList has no forward/);
  });

  it('train() and eval() set the flag on every submodule', () => {
    const m = new Block();
    m.eval();
    assert.deepEqual([...m.modules()].map((x) => x.training), [false, false, false]);
    m.train();
    assert.deepEqual([...m.modules()].map((x) => x.training), [true, true, true]);
  });

  it('zeroGrad clears every gradient', () => {
    const m = new Block();
    m.forward(tg.randn([2, 2, 2, 2])).sum().backward();
    assert.ok([...m.parameters()].every((p) => p.grad !== null));
    m.zeroGrad(false);
    assert.ok([...m.parameters()].every((p) => p.grad !== null && flat(p.grad).every((v) => v === 0)));
    m.zeroGrad();
    assert.ok([...m.parameters()].every((p) => p.grad === null));
  });

  it('Parameter is a leaf that requires grad and shares storage with a contiguous source', () => {
    const t = tg.tensor([1, 2, 3]);
    const p = new nn.Parameter(t);
    assert.ok(p instanceof tg.Tensor && p.isLeaf && p.requiresGrad);
    assert.equal(p.data, t.data);
    assert.equal(new nn.Parameter(t, false).requiresGrad, false);
    assert.match(p.toString(), /^Parameter containing:/);
  });
});

describe('Module: state dicts', () => {
  it('round-trips into a fresh module (values, buffers, dtype cast)', () => {
    const a = new Block();
    a.forward(tg.randn([4, 2, 3, 3])); // moves the running statistics
    const b = new Block();
    b.loadStateDict(a.stateDict());
    for (const [k, v] of a.stateDict()) assertClose(b.stateDict().get(k)!, v, { atol: 0, rtol: 0, msg: k });
    assert.equal((b.bn as nn.BatchNorm2d).numBatchesTracked, 1);
    const d = new Block().to('float64');
    d.loadStateDict(a.stateDict());
    assert.equal(d.conv.weight.dtype, 'float64');
    assertClose(d.conv.weight, a.conv.weight);
  });

  it('lists every missing, unexpected and mis-shaped key, and changes nothing', () => {
    const m = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
    const before = flat(m.at(0).stateDict().get('weight')!);
    const sd = m.stateDict();
    sd.delete('1.running_var');
    sd.set('0.weight', tg.zeros([3, 2]));
    sd.set('2.weight', tg.zeros([1]));
    let err: unknown;
    try {
      m.loadStateDict(sd);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof nn.StateDictError);
    assert.deepEqual(err.missingKeys, ['1.running_var']);
    assert.deepEqual(err.unexpectedKeys, ['2.weight']);
    assert.deepEqual(err.mismatched.map((x) => x.key), ['0.weight']);
    assert.match(err.message, /Missing key\(s\): "1\.running_var"\./);
    assert.match(err.message, /Unexpected key\(s\): "2\.weight"\./);
    assert.match(err.message, /Size mismatch for "0\.weight": the checkpoint has shape \[3,2\], the model expects \[2,3\]\./);
    assert.deepEqual(flat(m.at(0).stateDict().get('weight')!), before);
    // Non-strict: missing and unexpected keys are reported, not thrown; shapes must still match.
    sd.set('0.weight', tg.ones([2, 3]));
    const r = m.loadStateDict(sd, { strict: false });
    assert.deepEqual(r, { missingKeys: ['1.running_var'], unexpectedKeys: ['2.weight'] });
    assert.deepEqual(flat(m.at(0).stateDict().get('weight')!), [1, 1, 1, 1, 1, 1]);
  });

  it('accepts a plain record and copies in place (optimizers keep their parameters)', () => {
    const m = new nn.Linear(2, 1);
    const w = m.weight;
    m.loadStateDict({ weight: tg.tensor([[3, 4]]), bias: tg.tensor([5]) });
    assert.equal(m.weight, w);
    assertClose(m.forward(tg.tensor([[1, 1]])), [[12]]);
  });
});

describe('train/eval behaviour', () => {
  it('Dropout: eval is the identity; training zeroes about p and scales the rest by 1/(1-p); seeded', () => {
    const d = new nn.Dropout(0.3, new tg.Generator(5));
    const x = tg.ones([20000]);
    d.eval();
    assert.equal(d.forward(x), x);
    d.train();
    const y = flat(d.forward(x));
    const zeros = y.filter((v) => v === 0).length / y.length;
    assert.ok(Math.abs(zeros - 0.3) < 0.015, `dropped fraction ${zeros}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6));
    const again = flat(new nn.Dropout(0.3, new tg.Generator(5)).forward(x));
    assert.deepEqual(again, y);
    // The gradient flows only through the kept elements, scaled the same way.
    const xg = tg.ones([1000]).requiresGrad_();
    const out = new nn.Dropout(0.5, new tg.Generator(1)).forward(xg);
    out.sum().backward();
    assert.deepEqual(flat(xg.grad!), flat(out));
    assert.throws(() => new nn.Dropout(1.5), /probability p must be in \[0, 1\], got 1\.5/);
  });

  it('BatchNorm: training normalises with batch statistics, eval with the running ones', () => {
    const bn = new nn.BatchNorm1d(2, { momentum: 0.5 });
    const x = tg.tensor([[1, 10], [3, 30]]);
    // Batch mean [2, 20], biased variance [1, 100]: outputs are ±1 (up to eps).
    assertClose(bn.forward(x), [[-1, -1], [1, 1]], { atol: 1e-4 });
    // Running: mean 0.5·0 + 0.5·[2, 20]; unbiased variance [2, 200] → 0.5·1 + 0.5·[2, 200].
    assertClose(bn.runningMean!, [1, 10]);
    assertClose(bn.runningVar!, [1.5, 100.5]);
    bn.eval();
    assertClose(bn.forward(x), [[0, 0], [2 / Math.sqrt(1.5 + 1e-5), 20 / Math.sqrt(100.5 + 1e-5)]], { atol: 1e-5 });
    assertClose(bn.runningMean!, [1, 10]);
  });
});

describe('init', () => {
  it('Linear and Conv2d draw U(±1/√fanIn) like PyTorch, reproducibly from the seed', () => {
    tg.manualSeed(3);
    const a = new nn.Linear(400, 300);
    tg.manualSeed(3);
    const b = new nn.Linear(400, 300);
    assert.deepEqual(flat(a.weight), flat(b.weight));
    const w = flat(a.weight);
    const bound = 1 / Math.sqrt(400);
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.02, `variance ratio ${variance / (bound * bound / 3)}`);
    const c = new nn.Conv2d(4, 8, 3, { generator: new tg.Generator(1) });
    const cb = 1 / Math.sqrt(4 * 9);
    assert.ok(flat(c.weight).every((v) => Math.abs(v) <= cb) && flat(c.bias!).every((v) => Math.abs(v) <= cb));
    assert.ok(Math.max(...flat(c.weight).map(Math.abs)) > 0.9 * cb);
  });

  it('kaiming, xavier, normal and constant initialisers follow PyTorch formulas', () => {
    const g = new tg.Generator(2);
    const std = (t: tg.Tensor): number => {
      const v = flat(t);
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length);
    };
    const t = tg.zeros([256, 128]);
    nn.init.kaimingNormal_(t, { nonlinearity: 'relu', generator: g });
    assert.ok(Math.abs(std(t) / Math.sqrt(2 / 128) - 1) < 0.02);
    nn.init.kaimingNormal_(t, { nonlinearity: 'relu', mode: 'fanOut', generator: g });
    assert.ok(Math.abs(std(t) / Math.sqrt(2 / 256) - 1) < 0.02);
    nn.init.xavierUniform_(t, 1, g);
    const xb = Math.sqrt(6 / (256 + 128));
    assert.ok(flat(t).every((v) => Math.abs(v) <= xb) && Math.abs(std(t) / (xb / Math.sqrt(3)) - 1) < 0.02);
    nn.init.kaimingUniform_(t, { a: Math.sqrt(5), generator: g });
    assert.ok(flat(t).every((v) => Math.abs(v) <= 1 / Math.sqrt(128)));
    nn.init.normal_(t, 3, 0.5, g);
    assert.ok(Math.abs(std(t) - 0.5) < 0.01);
    nn.init.ones_(t);
    assert.ok(flat(t).every((v) => v === 1));
    nn.init.zeros_(t);
    assert.ok(flat(t).every((v) => v === 0));
    assert.equal(nn.init.calculateGain('tanh'), 5 / 3);
    assert.equal(nn.init.calculateGain('leakyRelu', 0.2), Math.sqrt(2 / 1.04));
    assert.throws(() => nn.init.kaimingUniform_(tg.zeros([3])), /fewer than 2 dims, got \[3\]/);
  });
});

describe('toString', () => {
  it('prints the module tree like PyTorch', () => {
    const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU()).toString();
    assert.equal(s, 'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)');
  });
});

describe('hooks and lookups', () => {
  it('forward hooks see inputs and output, can replace them, and are removable', () => {
    const lin = new nn.Linear(2, 1);
    lin.loadStateDict({ weight: tg.tensor([[1, 2]]), bias: tg.tensor([0]) });
    const seen: number[][] = [];
    const h = lin.registerForwardHook((_m, inputs, out) => {
      seen.push([...inputs[0]!.shape, ...out.shape]);
    });
    const pre = lin.registerForwardPreHook((_m, inputs) => [inputs[0]!.mul(10)]);
    const seq = new nn.Sequential(lin);
    assertClose(seq.forward(tg.tensor([[1, 1]])), [[30]]);
    assert.deepEqual(seen, [[1, 2, 1, 1]]);
    const dbl = lin.registerForwardHook((_m, _i, out) => out.mul(2));
    assertClose(lin.forward(tg.tensor([[1, 1]])), [[60]]);
    pre.remove();
    dbl.remove();
    assertClose(lin.forward(tg.tensor([[1, 1]])), [[3]]);
    h.remove();
    assert.ok(!Object.prototype.hasOwnProperty.call(lin, 'forward'), 'the instance forward is gone once no hook remains');
    assertClose(lin.forward(tg.tensor([[1, 1]])), [[3]]);
    assert.equal(seen.length, 3);
  });

  it('getSubmodule and getParameter follow dotted paths', () => {
    const m = new nn.Sequential({ features: new nn.Sequential(new nn.Linear(2, 3)), head: new nn.Linear(3, 1) });
    assert.equal(m.getSubmodule('features.0'), (m.getSubmodule('features') as nn.Sequential).at(0));
    assert.equal(m.getParameter('features.0.bias'), (m.getSubmodule('features.0') as nn.Linear).bias);
    assert.throws(() => m.getSubmodule('features.1'), /no submodule "1" in "features\.1"/);
    assert.throws(() => m.getParameter('head.scale'), /no parameter "head\.scale"/);
  });
});
