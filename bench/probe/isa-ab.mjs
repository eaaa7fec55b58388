#!/usr/bin/env node
/* global process, console, URL */
// In-run A/B of the native GEMM on each ISA path against torch.mm, 2 threads:
//   node bench/probe/isa-ab.mjs [n ...]   (needs dist/ built; /usr/bin/python3 with torch for the torch column)
// Every round runs each subject once per size in a fresh child process, alternating, so a load
// change hits all subjects alike; prints the best GFLOP/s of each, the ratios, the FMA peak probe
// (bench/probe/fma-peak.c, ymm and zmm) and the load average.
import { spawnSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const ns = sizes.length ? sizes : [256, 512, 1024, 2048];
const root = fileURLToPath(new URL('../../', import.meta.url));
const rounds = Number(process.env.AB_ROUNDS ?? 3);

const nodeChild = `
import * as tg from ${JSON.stringify(root + 'dist/src/index.js')};
tg.setNumThreads(2);
const out = {};
for (const n of ${JSON.stringify(ns)}) {
  const a = tg.randn([n, n]), b = tg.randn([n, n]), c = tg.zeros([n, n]);
  const reps = Math.max(3, Math.round(2e9 / (2 * n ** 3)));
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) tg.matmul(a, b, { out: c });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9 / reps);
  }
  out[n] = 2 * n ** 3 / best / 1e9;
}
console.log(JSON.stringify({ isa: tg.nativeIsa(), out }));
`;
const torchChild = `
import torch, time, json
torch.set_num_threads(2)
out = {}
for n in ${JSON.stringify(ns)}:
    a = torch.randn(n, n); b = torch.randn(n, n); c = torch.zeros(n, n)
    reps = max(3, round(2e9 / (2 * n ** 3)))
    best = 1e9
    for r in range(3):
        t0 = time.perf_counter()
        for i in range(reps): torch.mm(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / reps)
    out[n] = 2 * n ** 3 / best / 1e9
print(json.dumps({'isa': 'torch', 'out': out}))
`;
const subjects = [
  ['avx512', () => spawnSync(process.execPath, ['--input-type=module', '-e', nodeChild], { env: { ...process.env, TSGRAD_ISA: 'avx512' }, encoding: 'utf8' })],
  ['avx2', () => spawnSync(process.execPath, ['--input-type=module', '-e', nodeChild], { env: { ...process.env, TSGRAD_ISA: 'avx2' }, encoding: 'utf8' })],
  ['torch', () => spawnSync('/usr/bin/python3', ['-c', torchChild], { env: { ...process.env, OMP_NUM_THREADS: '2' }, encoding: 'utf8' })],
];
const best = {};
const loads = [];
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of subjects) {
    loads.push(loadavg()[0]);
    const p = run();
    if (p.status !== 0) { console.error(`${name}: ${p.stderr.slice(0, 400)}`); continue; }
    const { isa, out } = JSON.parse(p.stdout.trim().split('\n').pop());
    if (name !== 'torch' && isa !== name) console.error(`warning: asked for ${name}, ran ${isa}`);
    best[name] ??= {};
    for (const [n, g] of Object.entries(out)) best[name][n] = Math.max(best[name][n] ?? 0, g);
  }
}
const peak = {};
for (const [k, flag] of [['zmm', '-mavx512f'], ['ymm', '-mavx2']]) {
  const exe = `/tmp/tsgrad-fma-peak-${k}`;
  const c = spawnSync('cc', ['-O2', flag, '-mfma', '-pthread', root + 'bench/probe/fma-peak.c', '-o', exe], { encoding: 'utf8' });
  if (c.status === 0) peak[k] = Number(spawnSync(exe, ['2'], { encoding: 'utf8' }).stdout.trim());
}
console.log(`CPU: ${cpus()[0]?.model}; load average during the run ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
console.log(`FMA peak probe, 2 threads: zmm ${peak.zmm ?? '-'} GFLOP/s, ymm ${peak.ymm ?? '-'} GFLOP/s`);
console.log('n      avx512   avx2    torch   512/torch  avx2/torch  512/avx2  512/zmm-peak');
for (const n of ns) {
  const a = best.avx512?.[n], b = best.avx2?.[n], t = best.torch?.[n];
  const f = (x) => (x === undefined ? '-' : x.toFixed(1)).padStart(7);
  const q = (x, y) => (x && y ? (x / y).toFixed(2) : '-').padStart(10);
  console.log(`${String(n).padEnd(5)} ${f(a)} ${f(b)} ${f(t)} ${q(a, t)} ${q(b, t)} ${q(a, b)} ${q(a, peak.zmm)}`);
}
