#!/usr/bin/env node
// Builds the wasm kernel module (native/wasm/tsgrad.wasm) from the same C++ sources as the
// native addon, with clang's wasm32-wasi target, SIMD128, wasi-libc and libc++ (Debian packages).
//
//   node tools/build-wasm.mjs             build (installs the toolchain with apt when missing and root)
//   node tools/build-wasm.mjs --if-stale  build only when the sources changed since the committed build;
//                                         without a toolchain, or when the build fails, keep the
//                                         committed binary and say so (exit 0)
//   node tools/build-wasm.mjs --check     exit 1 when the committed binary is stale
//
// The binary is committed and ships in the npm package, so users never compile it; this script
// is for developers and CI. native/wasm/tsgrad.wasm.json records a hash of the sources and flags.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'native', 'wasm', 'tsgrad.wasm');
const stamp = `${out}.json`;

// Kernel sources shared with the addon; addon.cc (N-API) and threadpool.cc (pthreads) are
// replaced by the wasm entry point and its own thread pool.
const EXCLUDE = new Set(['addon.cc', 'threadpool.cc']);
const sources = [
  ...readdirSync(join(root, 'native')).filter((f) => f.endsWith('.cc') && !EXCLUDE.has(f)).map((f) => join('native', f)),
  ...readdirSync(join(root, 'native', 'wasm')).filter((f) => f.endsWith('.cc')).map((f) => join('native', 'wasm', f)),
].sort();
const headers = [
  ...readdirSync(join(root, 'native')).filter((f) => f.endsWith('.h')).map((f) => join('native', f)),
  ...readdirSync(join(root, 'native', 'wasm')).filter((f) => f.endsWith('.h')).map((f) => join('native', 'wasm', f)),
].sort();

const CXX = process.env['TSGRAD_WASM_CXX'] ?? 'clang++-14';
const SYSROOT = '/usr';
const CFLAGS = ['--target=wasm32-wasi', `--sysroot=${SYSROOT}`, '-isystem', '/usr/include/wasm32-wasi/c++/v1', '-O3', '-msimd128',
  '-fno-exceptions', '-fno-rtti', '-std=c++17', '-DNDEBUG', '-Wno-unknown-attributes'];
const LDFLAGS = ['-mexec-model=reactor', '-nostdlib++', '-L/usr/lib/wasm32-wasi', '-lc++', '-lc++abi', '-Wl,--strip-all',
  '-Wl,-z,stack-size=1048576', '-Wl,--initial-memory=16777216'];
const PACKAGES = ['clang-14', 'lld-14', 'wasi-libc', 'libc++-14-dev-wasm32', 'libc++abi-14-dev-wasm32', 'libclang-rt-14-dev-wasm32'];

/** Hash of everything the binary is made from: sources, headers and flags. */
function sourceHash() {
  const h = createHash('sha256');
  for (const f of [...sources, ...headers]) h.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
  h.update(JSON.stringify([CFLAGS, LDFLAGS]));
  return h.digest('hex');
}

function committedHash() {
  try {
    return JSON.parse(readFileSync(stamp, 'utf8')).sources;
  } catch {
    return null;
  }
}

function haveToolchain() {
  const r = spawnSync(CXX, ['--version'], { stdio: 'ignore' });
  return r.status === 0 && existsSync('/usr/lib/wasm32-wasi/libc.a') && existsSync('/usr/lib/wasm32-wasi/libc++.a') &&
    existsSync('/usr/include/wasm32-wasi/c++/v1/vector');
}

/** Installs the Debian packages of the toolchain (needs root and apt). */
function installToolchain() {
  if (process.getuid?.() !== 0) return false;
  console.log(`build-wasm: installing ${PACKAGES.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const opts = { stdio: 'inherit', env };
  spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'update', '-q'], opts);
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', ...PACKAGES], opts);
  return r.status === 0 && haveToolchain();
}

function run(cmd, args) {
  return new Promise((res) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    res(r);
  });
}

async function build(hash) {
  const obj = join(tmpdir(), `tsgrad-wasm-${process.pid}`);
  mkdirSync(obj, { recursive: true });
  const jobs = Math.max(1, Number(process.env['JOBS'] ?? cpus().length));
  const queue = [...sources];
  const objects = sources.map((s) => join(obj, s.replace(/[\\/]/g, '_').replace(/\.cc$/, '.o')));
  let failed = null;
  const { spawn } = await import('node:child_process');
  const compile = (src, o) => new Promise((res) => {
    const p = spawn(CXX, [...CFLAGS, '-c', join(root, src), '-o', o], { stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('close', (code) => res(code));
    p.on('error', () => res(-1));
  });
  const workers = Array.from({ length: jobs }, async () => {
    while (queue.length > 0 && failed === null) {
      const src = queue.shift();
      const code = await compile(src, objects[sources.indexOf(src)]);
      if (code !== 0) failed = src;
    }
  });
  await Promise.all(workers);
  if (failed !== null) throw new Error(`compiling ${failed} failed`);
  const r = await run(CXX, [...CFLAGS, ...objects, ...LDFLAGS, '-o', out]);
  if (r.status !== 0) throw new Error(`linking failed:\n${r.stderr}`);
  const version = spawnSync(CXX, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  writeFileSync(stamp, `${JSON.stringify({ sources: hash, compiler: version, bytes: readFileSync(out).length }, null, 2)}\n`);
  console.log(`build-wasm: wrote native/wasm/tsgrad.wasm (${readFileSync(out).length} bytes, ${version})`);
}

const mode = process.argv[2] ?? '';
const hash = sourceHash();
const fresh = existsSync(out) && committedHash() === hash;
if (mode === '--check') {
  if (!fresh) {
    console.error('build-wasm: native/wasm/tsgrad.wasm is stale (sources changed); run `npm run build:wasm` and commit it');
    process.exit(1);
  }
  process.exit(0);
}
if (mode === '--if-stale' && fresh) process.exit(0);
if (!haveToolchain() && !installToolchain()) {
  const msg = `build-wasm: no wasm toolchain (${CXX} with wasi-libc and libc++ for wasm32: apt-get install ${PACKAGES.join(' ')})`;
  if (mode === '--if-stale') {
    console.warn(`${msg}; keeping the committed native/wasm/tsgrad.wasm, which is older than the sources.`);
    process.exit(0);
  }
  console.error(msg);
  process.exit(1);
}
try {
  await build(hash);
} catch (e) {
  console.error(`build-wasm: ${e.message}`);
  if (mode === '--if-stale') {
    // From `npm test`: a kernel change that breaks the wasm build should not stop every other
    // test; the wasm tests then run the committed (older) module and say what differs.
    console.warn('build-wasm: WARNING: the wasm build failed; keeping the committed native/wasm/tsgrad.wasm, which is older than the sources.');
    process.exit(0);
  }
  process.exit(1);
}
