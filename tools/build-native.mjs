#!/usr/bin/env node
// Builds the native kernel addon (build/Release/tsgrad_native.node) with node-gyp.
// Runs as the package's install script: a failed build prints one warning and
// exits 0, so `npm install` succeeds and tsgrad falls back to the ref backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Finds node-gyp: the one npm passes to install scripts, else the one bundled with npm. */
function nodeGypCommand() {
  const fromNpm = process.env['npm_config_node_gyp'];
  if (fromNpm && existsSync(fromNpm)) return [process.execPath, fromNpm];
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  for (const c of candidates) if (existsSync(c)) return [process.execPath, c];
  return ['npx', '--no-install', 'node-gyp'];
}

if (process.env['TSGRAD_SKIP_NATIVE'] === '1') {
  console.warn('tsgrad: TSGRAD_SKIP_NATIVE=1, not building the native addon; the ref backend will be used.');
  process.exit(0);
}

const [cmd, ...pre] = nodeGypCommand();
const args = [...pre, 'rebuild', '--release'];
// Offline machines need local headers: use the nodedir npm was configured with, or the system's.
const nodedir = process.env['npm_config_nodedir'] ?? (existsSync('/usr/include/node/node_api.h') ? '/usr' : undefined);
if (nodedir) args.push(`--nodedir=${nodedir}`);
const jobs = process.env['JOBS'] ?? 'max';
args.push(`--jobs=${jobs}`, '--loglevel=warn');

// Quiet on success; on failure the tail of node-gyp's log, then one warning line.
const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (r.status !== 0) {
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n');
  if (log.length > 1 || log[0]) console.warn(log.slice(-15).join('\n'));
  const why = r.error ? r.error.message : `node-gyp exited with ${r.status ?? r.signal}`;
  console.warn(`tsgrad: WARNING: could not build the native addon (${why}); tsgrad will use the slower ref backend.`);
} else {
  console.log('tsgrad: built the native kernel addon (build/Release/tsgrad_native.node).');
}
process.exit(0);
