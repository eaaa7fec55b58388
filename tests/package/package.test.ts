// What `npm pack` ships: a LICENSE matching package.json, source maps whose sources are in the
// package, and type declarations a user's project can check without @types/node (or the DOM lib).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { REPO_ROOT } from '../helpers.js';

const PKG = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { license: string; exports: Record<string, unknown> };

/** The files `npm pack` would put in the tarball (no scripts run). */
function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out) as [{ files: { path: string }[] }];
  return new Set(info.files.map((f) => f.path));
}

describe('the npm package', () => {
  const files = packedFiles();

  it('ships an MIT LICENSE, as package.json says', () => {
    assert.equal(PKG.license, 'MIT');
    assert.ok(files.has('LICENSE'), 'LICENSE is not in the package');
    const text = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    assert.match(text, /^MIT License\n/);
    assert.match(text, /Permission is hereby granted, free of charge/);
  });

  it('every source map in the package points at sources that are in the package', () => {
    const maps = [...files].filter((f) => f.endsWith('.js.map'));
    assert.ok(maps.length > 50, `only ${maps.length} source maps packed`);
    const missing: string[] = [];
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(REPO_ROOT, m), 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const s of map.sources) {
        const target = normalize(join(dirname(m), map.sourceRoot ?? '', s));
        if (!files.has(relative('.', target))) missing.push(`${m} -> ${target}`);
      }
    }
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} unresolved sources`);
  });

  it("type-checks in a user's project without @types/node or the DOM lib (every entry point)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'tsgrad'), 'dir');
      const entries = Object.keys(PKG.exports).filter((k) => k !== './package.json').map((k) => k.replace(/^\./, 'tsgrad'));
      assert.ok(entries.includes('tsgrad/train') && entries.includes('tsgrad/plot'), entries.join(', '));
      const lines = entries.map((e, i) => `import * as m${i} from '${e}';`);
      lines.push(
        `const x: m0.Tensor = m0.randn([2, 3]);`,
        `export const used = [x, ${entries.map((_, i) => `m${i}`).join(', ')}];`,
      );
      writeFileSync(join(dir, 'main.ts'), `${lines.join('\n')}\n`);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [], lib: ['ES2022'], skipLibCheck: false },
        files: ['main.ts'],
      }));
      const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, `tsc reported:\n${r.stdout}${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
