// WebGPU in Node through the optional `webgpu` package (Dawn). Runs where Dawn finds a Vulkan, Metal
// or D3D12 driver; elsewhere (this project's CI: no GPU, and Debian 12's lavapipe lacks what Dawn
// needs) it says so and skips: a missing GPU is the one allowed reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { assertClose } from '../helpers.js';

const info = await tg.initWebGPU();
const why = info ? '' : 'no WebGPU adapter in Node (the optional `webgpu` package is not installed or Dawn found no GPU driver); the same kernels are tested in headless Chromium by chromium.test.ts';
if (!info) console.log(`SKIPPED (no GPU): ${why}`);

describe('webgpu in Node (Dawn)', { skip: info ? false : `no GPU: ${why}` }, () => {
  it('runs a matmul, a reduction and a training step like the CPU', async () => {
    const g = new tg.Generator(3);
    const a = tg.randn([70, 33], { generator: g }), b = tg.randn([33, 45], { generator: g });
    const c = await tg.matmul(a.to('webgpu'), b.to('webgpu')).cpuAsync();
    assertClose(c, tg.matmul(a, b), { atol: 1e-4, rtol: 1e-4 });
    assert.ok(Math.abs((await a.to('webgpu').sum().itemAsync()) - a.sum().item()) < 1e-3);
    const model = new tg.nn.Sequential(new tg.nn.Linear(33, 16, { generator: new tg.Generator(1) }), new tg.nn.ReLU(), new tg.nn.Linear(16, 4, { generator: new tg.Generator(2) }));
    const opt = new tg.optim.Adam(model.parameters(), { lr: 0.01 });
    model.to('webgpu');
    const x = a.to('webgpu'), y = tg.randint(0, 4, [70], { generator: g }).to('webgpu');
    const losses: tg.Tensor[] = [];
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      const loss = tg.nn.F.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.detach());
    }
    const v = await Promise.all(losses.map((l) => l.itemAsync()));
    assert.ok(v[4]! < v[0]!, `loss did not fall: ${v.join(', ')}`);
  });
});
