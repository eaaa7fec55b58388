#!/usr/bin/env node
// Enforces the architecture: each src/ folder imports only the folders below it
// (docs/notes/architecture.md), and no module imports itself through a cycle.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

/** Which top-level src folders each folder may import (besides itself). */
const ALLOWED = {
  core: [],
  backend: ['core'],
  tensor: ['core', 'backend'],
  ops: ['core', 'backend', 'tensor'],
  autograd: ['core', 'backend', 'tensor', 'ops'],
  layers: ['core', 'backend', 'tensor', 'ops', 'autograd'],
  nn: ['core', 'backend', 'tensor', 'ops', 'autograd'],
  optim: ['core', 'backend', 'tensor', 'ops', 'autograd', 'nn'],
  data: ['core', 'backend', 'tensor', 'ops'],
  io: ['core', 'backend', 'tensor', 'ops', 'nn', 'optim'],
  plot: ['core'],
  // models may read weight files (io) and the data/cache folder (data) for pretrained weights.
  models: ['core', 'backend', 'tensor', 'ops', 'autograd', 'nn', 'data', 'io'],
  train: ['core', 'backend', 'tensor', 'ops', 'autograd', 'layers', 'nn', 'optim', 'data', 'io', 'plot', 'models'],
  experiments: ['core', 'backend', 'tensor', 'ops', 'autograd', 'nn', 'optim', 'data', 'io', 'plot', 'models', 'train'],
  cli: ['core', 'backend', 'tensor', 'ops', 'autograd', 'layers', 'nn', 'optim', 'data', 'io', 'plot', 'models', 'train', 'experiments'],
};
// The package entry points re-export everything.
const ENTRY = new Set(['index.ts']);

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = walk(src);
const graph = new Map();
const errors = [];
const importRe = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const rel = relative(src, file);
  const folder = rel.includes('/') ? rel.split('/')[0] : null;
  const deps = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    const isTypeOnly = /^\s*(?:import|export)\s+type\s/.test(m[0]);
    if (!isTypeOnly) deps.push(target);
    const tRel = relative(src, target);
    const tFolder = tRel.includes('/') ? tRel.split('/')[0] : null;
    if (folder === null) {
      if (!ENTRY.has(rel)) errors.push(`${rel}: only the package entry may live at src/ top level`);
      continue;
    }
    if (tFolder === null) {
      errors.push(`${rel}: imports the package entry ${tRel}; import the module directly`);
      continue;
    }
    if (tFolder !== folder && !(ALLOWED[folder] ?? []).includes(tFolder)) {
      errors.push(`${rel}: ${folder}/ may not import ${tFolder}/ (allowed: ${(ALLOWED[folder] ?? []).join(', ') || 'nothing'})`);
    }
  }
  graph.set(file, deps);
}

// Cycle detection over value imports (type-only imports vanish at run time).
const state = new Map();
const stack = [];
function visit(f) {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 1) {
      const cyc = stack.slice(stack.indexOf(d)).concat(d).map((p) => relative(src, p));
      errors.push(`import cycle: ${cyc.join(' -> ')}`);
    } else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
}
for (const f of graph.keys()) if (!state.has(f)) visit(f);

if (errors.length) {
  console.error(errors.join('\n'));
  console.error(`check-imports: ${errors.length} problem(s)`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} modules, folder rules and no cycles OK`);
