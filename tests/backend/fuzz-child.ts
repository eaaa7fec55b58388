// The boundary fuzz, run in a child process by fuzz.test.ts so that a crash fails the test
// instead of killing the runner: `node fuzz-child.js <backend> <seed> <callsPerKernel>`.
// Every call must either run or throw a TsgradError (through the backend), or return a
// boolean or throw a 'tsgrad native:' Error (straight into the addon's dispatcher).
import * as tg from '../../src/index.js';
import { KERNELS } from '../../src/backend/kernels.js';
import { loadAddon } from '../../src/backend/native/addon.js';
import { encodeCall } from '../../src/backend/native/index.js';
import { Rng, mutate, validCall } from './fuzz-calls.js';

const [backend = 'ref', seedArg = '1', perArg = '40'] = process.argv.slice(2);
const seed = Number(seedArg), per = Number(perArg);
const be = tg.setBackend(backend);
if (be.name !== backend) {
  console.log(JSON.stringify({ error: `asked for ${backend}, got ${be.name}` }));
  process.exit(2);
}
const failures: string[] = [];
let calls = 0, rejected = 0, validRan = 0, raw = 0, rawRejected = 0;
const rng = new Rng(seed);

function describeErr(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

for (const spec of KERNELS) {
  const method = (be as unknown as Record<string, unknown>)[spec.name];
  if (typeof method !== 'function') continue;
  for (let i = 0; i < per; i++) {
    const args = validCall(spec, rng);
    // One call in five stays valid: the checks must let it through.
    const what = i % 5 === 0 ? 'valid' : mutate(spec, args, rng);
    calls++;
    try {
      (method as (...a: unknown[]) => unknown).apply(be, args);
      if (what === 'valid') validRan++;
    } catch (e) {
      if (what === 'valid') failures.push(`${spec.name}: a valid call was refused: ${describeErr(e)}`);
      else if (e instanceof tg.TsgradError) rejected++;
      else failures.push(`${spec.name} (${what}): ${describeErr(e)}`);
    }
    // The same call straight into the dispatcher, past the TypeScript checks.
    const addon = backend === 'native' ? loadAddon() : null;
    if (!addon) continue;
    let enc: ReturnType<typeof encodeCall> | null = null;
    try {
      enc = encodeCall(spec, args);
    } catch {
      enc = null; // arguments too broken to encode (e.g. a shape that is not an array)
    }
    if (!enc) continue;
    raw++;
    try {
      const r = addon.run(spec.code, enc.meta, ...enc.data);
      if (typeof r !== 'boolean') failures.push(`${spec.name} raw (${what}): run() returned ${String(r)}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('tsgrad native:')) rawRejected++;
      else failures.push(`${spec.name} raw (${what}): ${describeErr(e)}`);
    }
  }
}

// Raw garbage: random codes and random metadata straight into the dispatcher.
const addon = backend === 'native' ? loadAddon() : null;
if (addon) {
  const arrays = [new Float32Array(8), new Float64Array(3), new Int32Array(5), new Uint8Array(1), new Float32Array(0)];
  for (let i = 0; i < per * 10; i++) {
    const meta = new Float64Array(rng.int(24));
    for (let k = 0; k < meta.length; k++) meta[k] = rng.next() < 0.7 ? rng.int(6) - 1 : rng.pick([2 ** 53, -(2 ** 40), NaN, 0.5, 17, 1e300]);
    const n = rng.int(7);
    const data = Array.from({ length: n }, () => rng.pick(arrays));
    raw++;
    try {
      addon.run(rng.int(30) - 2, meta, ...data);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('tsgrad native:')) rawRejected++;
      else failures.push(`raw garbage: ${describeErr(e)}`);
    }
  }
}

console.log(JSON.stringify({ backend, seed, calls, rejected, validRan, raw, rawRejected, failures: failures.slice(0, 20), failureCount: failures.length }));
process.exit(failures.length ? 1 : 0);
