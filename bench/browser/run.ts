/**
 * `npm run bench:browser`: the bench workloads W2–W5 inside headless Chromium (Debian's package,
 * driven by puppeteer-core through tests/browser/chromium.ts) for tsgrad-wasm and TensorFlow.js's
 * wasm backend (1 and 2 threads), on a page served cross-origin isolated (COOP/COEP),
 * so SharedArrayBuffer and wasm threads are available. Prints figures and ratios; writes JSON.
 *
 *   node dist/bench/browser/run.js [--only W2,W3] [--budget S] [--threads 1,2] [--subjects tsgrad-wasm,tfjs-wasm] [--out PATH]
 *
 * The first subject is the base of the ratios.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../subjects.js';
import type { PageCell, PageResult } from './page.js';

// The shared headless-Chromium launcher and COOP/COEP server (tests/browser/chromium.ts), loaded
// at run time and typed here by what this driver uses of it.
interface BrowserLike {
  close(): Promise<void>;
}
interface Launcher {
  bundlePage(entry: string): Promise<Uint8Array>;
  launchChromium(): Promise<BrowserLike>;
  runInPage<T>(browser: BrowserLike, url: string, opts?: { timeoutMs?: number }): Promise<T>;
  serveStatic(opts: { root: string; files?: Record<string, string | Uint8Array>; isolated?: boolean }): Promise<{ url: string; close(): Promise<void> }>;
}
const launcherUrl = new URL('../../tests/browser/chromium.js', import.meta.url).href;
let launcher: Launcher;
try {
  launcher = (await import(launcherUrl)) as Launcher;
} catch (e) {
  console.error(`bench:browser: cannot load the browser launcher ${launcherUrl}: ${(e as Error).message.split('\n')[0]}`);
  process.exit(1);
}
const { bundlePage, launchChromium, runInPage, serveStatic } = launcher;

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'W2,W3,W4,W5 train,W5 infer' },
    budget: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' },
    out: { type: 'string', default: `${REPO_ROOT}bench/results/browser-latest.json` },
    subjects: { type: 'string', default: 'tsgrad-wasm,tfjs-wasm' },
  },
});

const threadCounts = values.threads.split(',').map(Number);
const page = await bundlePage(fileURLToPath(new URL('./page.js', import.meta.url)));
const html = '<!doctype html><meta charset="utf-8"><title>tsgrad browser bench</title><script type="module" src="/bench.js"></script>';
const server = await serveStatic({ root: REPO_ROOT, files: { '/bench.js': page, '/bench.html': html }, isolated: true });
const browser = await launchChromium();
const results: PageResult[] = [];
try {
  // tsgrad-wasm runs its kernels on one thread for now (see docs/wasm.md), so only the first
  // thread count is measured for it; tfjs-wasm gets every count.
  const runs: { subject: string; threads: number }[] = [];
  for (const s of values.subjects.split(',')) {
    if (s === 'tsgrad-wasm') runs.push({ subject: s, threads: 1 });
    else if (s === 'tfjs-wasm') for (const t of threadCounts) runs.push({ subject: s, threads: t });
    else throw new Error(`--subjects: unknown subject ${JSON.stringify(s)} (tsgrad-wasm, tfjs-wasm)`);
  }
  for (const r of runs) {
    const merged: PageResult = { subject: r.subject, threads: r.threads, crossOriginIsolated: false, backend: 'unavailable', cells: [] };
    for (const id of values.only.split(',')) {
      const q = new URLSearchParams({ subject: r.subject, threads: String(r.threads), only: id, budget: values.budget, wasm: '/native/wasm/tsgrad.wasm' });
      process.stderr.write(`bench:browser: ${r.subject} (${r.threads} thread${r.threads > 1 ? 's' : ''}) ${id} ...\n`);
      try {
        const got = await runInPage<PageResult>(browser, `${server.url}bench.html?${q}`, { timeoutMs: 900_000 });
        merged.crossOriginIsolated = got.crossOriginIsolated;
        merged.backend = got.backend;
        merged.cells.push(...got.cells);
        for (const c of got.cells) process.stderr.write(`  ${c.id}: ${c.figure !== undefined ? `${c.figure.toFixed(1)} samples/s (median ${c.medianMs!.toFixed(1)} ms, ${c.steps} steps)` : c.error}\n`);
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0]!;
        process.stderr.write(`bench:browser: ${r.subject} ${id} failed: ${msg}\n`);
        merged.cells.push({ id, error: msg });
      }
    }
    results.push(merged);
  }
} finally {
  await browser.close();
  await server.close();
}

const label = (r: PageResult): string => `${r.subject} ${r.threads}t`;
const ids = values.only.split(',');
const cellOf = (r: PageResult, id: string): PageCell | undefined => r.cells.find((c) => c.id === id);
const fmt = (c: PageCell | undefined): string => (c?.figure !== undefined ? Math.round(c.figure).toLocaleString('en-US') : c?.error ? 'n/a' : '-');
const cols = results.map(label);
const base = results[0]!;
const lines: string[] = [];
lines.push(`tsgrad browser bench ${new Date().toISOString()} (headless Chromium, cross-origin isolated: ${results.map((r) => r.crossOriginIsolated).join('/')}); samples/s, higher is better`);
lines.push(['workload', ...cols, ...results.slice(1).map((r) => `tsgrad/${label(r)}`)].join(' | '));
for (const id of ids) {
  const t = cellOf(base, id)?.figure;
  const ratios = results.slice(1).map((r) => {
    const f = cellOf(r, id)?.figure;
    return t !== undefined && f !== undefined ? `${(t / f).toFixed(2)}x` : 'n/a';
  });
  lines.push([id, ...results.map((r) => fmt(cellOf(r, id))), ...ratios].join(' | '));
}
for (const r of results) for (const c of r.cells) if (c.error) lines.push(`  ${label(r)} ${c.id}: ${c.error}`);
console.log(lines.join('\n'));
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`JSON: ${values.out}`);
