// The ```ts examples of docs/tensors.md and docs/autograd.md run as written (transpiled with
// TypeScript), and each `console.log(...); // value` prints the value its comment promises.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { REPO_ROOT } from '../helpers.js';

const ENTRY = new URL('../../src/index.js', import.meta.url).href;

/** The ```ts blocks of a markdown file. */
function blocks(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, 'docs', file), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** `console.log(...); // expected` lines: the expected text is the comment up to ':', ' (' or ' = '. */
function promises(code: string): string[] {
  return code.split('\n').filter((l) => /console\.log\(.*\);\s*\/\/ /.test(l)).map((l) => l.replace(/^.*?;\s*\/\/ /, '').replace(/:.*$|\s+\(.*$|\s+=\s.*$/, '').trim());
}

for (const file of ['tensors.md', 'autograd.md']) {
  describe(`docs/${file} examples`, () => {
    blocks(file).forEach((code, i) => {
      it(`example ${i + 1} runs and prints what its comments say`, async () => {
        const js = ts.transpileModule(code.replace(/from 'tsgrad'/g, `from '${ENTRY}'`), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText;
        const dir = mkdtempSync(join(tmpdir(), 'tsgrad-doc-'));
        const lines: string[] = [];
        const log = console.log;
        console.log = (...args: unknown[]) => {
          lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        };
        try {
          const f = join(dir, 'example.mjs');
          writeFileSync(f, js.includes('import ') ? js : `import * as tg from '${ENTRY}';\n${js}`);
          await import(pathToFileURL(f).href);
        } finally {
          console.log = log;
          rmSync(dir, { recursive: true, force: true });
        }
        const expected = promises(code);
        assert.equal(lines.length, expected.length, `printed ${JSON.stringify(lines)}`);
        expected.forEach((e, k) => {
          const norm = (s: string) => s.replace(/\s+/g, '').replace(/[[\]]/g, '');
          assert.ok(norm(lines[k]!).startsWith(norm(e)), `line ${k + 1}: printed ${lines[k]}, the docs say ${e}`);
        });
      });
    });
  });
}
