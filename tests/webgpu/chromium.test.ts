// The WebGPU backend in headless Chromium (SwiftShader's software adapter): the op fixtures against
// PyTorch in float32, the device API, and two short training runs against the CPU.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CHROMIUM, runPage } from './harness.js';
import type { PageReport } from './report.js';

describe('webgpu in headless Chromium', () => {
  let report: PageReport;
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (or set CHROMIUM) to run the WebGPU tests`);
    report = await runPage(240_000);
  });

  it('finds a WebGPU adapter', () => {
    assert.equal(report.error, null);
    assert.ok(report.adapter, 'no WebGPU adapter in headless Chromium');
    console.log(`adapter: ${JSON.stringify(report.adapter)}`);
  });

  it('device API: moves, async reads, and errors naming devices and async methods', () => {
    const bad = report.api.filter((a) => !a.ok).map((a) => `${a.name}: ${a.detail}`);
    assert.ok(report.api.length >= 17, `only ${report.api.length} API checks ran`);
    assert.deepEqual(bad, []);
  });

  it('op fixtures vs PyTorch on webgpu (float32)', () => {
    assert.ok(report.groups.length >= 12, `only ${report.groups.length} fixture groups ran`);
    for (const g of report.groups) console.log(`${g.group} ${g.layout}: ${g.cases - g.failures.length}/${g.cases} cases pass`);
    const failures = report.groups.flatMap((g) => g.failures.map((f) => `${g.group} ${g.layout}: ${f}`));
    assert.deepEqual(failures, []);
  });

  it('training on webgpu follows the CPU run', () => {
    assert.equal(report.training.length, 2);
    for (const t of report.training) {
      console.log(`${t.name}: cpu ${t.cpu.map((v) => v.toFixed(4)).join(' ')}\n${' '.repeat(t.name.length)}  gpu ${t.gpu.map((v) => v.toFixed(4)).join(' ')}`);
      assert.ok(t.gpu[t.gpu.length - 1]! < t.gpu[0]!, `${t.name}: loss did not fall on webgpu`);
      assert.ok(t.worst < 2e-3, `${t.name}: webgpu loss differs from the CPU's by ${t.worst}`);
    }
  });
});
