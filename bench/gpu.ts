/**
 * tsgrad's side of `npm run bench:gpu` (driven by bench/gpu-run.sh): W1 GEMM GFLOP/s and W4 / W5
 * training samples/s on the 'webgpu' device, in Node through Dawn (the `webgpu` package, or a
 * dawn.node named by TSGRAD_DAWN_NODE). Models are built with nn modules and optimizers as a user
 * would; the loss is read back once per timed block, never per step. Writes one JSON object.
 *
 *   node --expose-gc dist/bench/gpu.js [--out FILE] [--quick]
 */
import { writeFileSync } from 'node:fs';
import * as tg from '../src/index.js';
import { gemm, train, w4Net, w5Net } from './gpu-cells.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  const info = await tg.initWebGPU();
  if (!info) {
    console.error('bench:gpu: no WebGPU adapter (Dawn found no Vulkan driver, or dawn.node is missing: set TSGRAD_DAWN_NODE or install the `webgpu` package)');
    process.exit(2);
  }
  console.log(`bench:gpu: adapter ${JSON.stringify(info)}`);
  const secs = quick ? 0.5 : 2;
  const result: Record<string, unknown> = { adapter: info, node: process.version, gemm: [], train: [] };
  for (const n of quick ? [256, 1024] : [256, 512, 1024, 2048, 4096]) {
    const r = await gemm(n, secs);
    console.log(`W1 n=${n}: ${r.gflops.toFixed(1)} GFLOP/s (${r.steps} products, max |err| of row 0 vs CPU ${r.maxErr.toExponential(2)})`);
    (result['gemm'] as unknown[]).push(r);
  }
  for (const [name, build, shape, lr, adam] of [
    ['W4', w4Net, [64, 1, 28, 28], 0.01, false],
    ['W5', w5Net, [32, 3, 32, 32], 1e-4, true],
  ] as const) {
    const r = await train(name, build, [...shape], lr, adam, quick ? 2 : 8);
    console.log(`${name} train: ${r.samplesPerS.toFixed(1)} samples/s (${r.steps} steps, loss ${r.firstLoss.toFixed(4)} -> ${r.lastLoss.toFixed(4)})`);
    (result['train'] as unknown[]).push(r);
  }
  const text = JSON.stringify(result, null, 1);
  if (out) writeFileSync(out, text);
  else console.log(text);
}

await main();
