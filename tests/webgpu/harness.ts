// Serves the repository over HTTP and runs tests/webgpu/page.ts in headless Chromium with its
// software WebGPU adapter (SwiftShader over Vulkan), returning the page's report.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules, createRequire } from 'node:module';
import { REPO_ROOT } from '../helpers.js';
import type { PageReport } from './report.js';

/** Where Chromium is: $CHROMIUM or Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** The flags that give headless Chromium a WebGPU adapter without a GPU. */
export const WEBGPU_FLAGS = ['--headless', '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader'];

// The page imports the Trainer, whose module graph reaches Node built-ins (checkpoints) and
// cli-progress; an import map points every Node built-in at a stub whose functions throw if called
// (the page never calls them). The stubs list each module's real exports, so a new import elsewhere
// in the library never breaks the page.
const require = createRequire(import.meta.url);
const BUILTINS = builtinModules.filter((n) => !n.startsWith('_')).map((n) => `node:${n}`);

function stubModule(name: string): string {
  if (name === 'cli-progress') return 'export default {};';
  const names = Object.keys(require(name) as object).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
  const body = names.map((n) => `export function ${n}() { throw new Error('${name}.${n} is not available in the browser test page'); }`);
  if (name === 'node:os') body.splice(body.findIndex((l) => l.includes(' endianness(')), 1, "export function endianness() { return 'LE'; }");
  body.push('export default {};');
  return body.join('\n');
}

const IMPORT_MAP = JSON.stringify({ imports: Object.fromEntries([...BUILTINS, 'cli-progress'].map((n) => [n, `/stub/${encodeURIComponent(n)}.js`])) });

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.json': 'application/json', '.html': 'text/html', '.map': 'application/json' };

/** Runs the page and resolves with its report (rejects after `timeoutMs` or when Chromium exits first). */
export async function runPage(timeoutMs: number, query = ''): Promise<PageReport> {
  const root = normalize(REPO_ROOT);
  const page = '/' + relative(root, fileURLToPath(new URL('./page.js', import.meta.url)));
  const profile = mkdtempSync(join(tmpdir(), 'tsgrad-chromium-'));
  let done: (r: PageReport) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const result = new Promise<PageReport>((res, rej) => {
    done = res;
    fail = rej;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/report') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.end('ok');
        try {
          done(JSON.parse(body) as PageReport);
        } catch (e) {
          fail(e as Error);
        }
      });
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><script type="importmap">${IMPORT_MAP}</script><script type="module" src="${page}"></script>`);
      return;
    }
    if (url.pathname.startsWith('/stub/')) {
      res.setHeader('content-type', 'text/javascript');
      res.end(stubModule(decodeURIComponent(url.pathname.slice(6, -3))));
      return;
    }
    const file = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  // The first errors name the cause (later ones repeat "invalid due to a previous error"): keep the
  // head of the log and its tail.
  let head = '';
  let log = '';
  const child = spawn(CHROMIUM, [...WEBGPU_FLAGS, `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', `http://127.0.0.1:${port}/${query}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => {
    if (head.length < 12000) head += d.toString();
    else log = (log + d.toString()).slice(-8000);
  });
  child.on('exit', (code) => fail(new Error(`chromium exited (${code}) before the page reported; its log:\n${head}\n...\n${log}`)));
  child.on('error', (e) => fail(e));
  const timer = setTimeout(() => fail(new Error(`no report from the page within ${timeoutMs} ms; chromium log:\n${head}\n...\n${log}`)), timeoutMs);
  try {
    const r = await result;
    if (r.error || r.groups.some((g) => g.failures.length > 0)) r.error = `${r.error ?? ''}\nchromium console:\n${(head + log).split('\n').filter((l) => /CONSOLE|webgpu/i.test(l)).slice(-40).join('\n')}`;
    return r;
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('exit');
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGKILL');
    await exited;
    server.close();
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
