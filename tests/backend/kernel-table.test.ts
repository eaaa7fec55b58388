import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as kernels from '../../src/backend/kernels.js';
import { KERNELS, SUB_OPS, viewCounts } from '../../src/backend/kernels.js';
import { codesMismatch, loadAddon, type AddonCodes } from '../../src/backend/native/addon.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { REPO_ROOT } from '../helpers.js';

interface GenModule {
  renderHeader(k: typeof kernels): string;
  HEADER_PATH: string;
}

test('native/kernel_codes.h is what tools/gen-kernel-codes.mjs makes of the kernel table', async () => {
  const gen = (await import(pathToFileURL(`${REPO_ROOT}tools/gen-kernel-codes.mjs`).href)) as GenModule;
  const committed = readFileSync(gen.HEADER_PATH, 'utf8');
  assert.equal(committed, gen.renderHeader(kernels), 'native/kernel_codes.h is stale: run `npm run build && node tools/gen-kernel-codes.mjs`');
});

test('kernel codes run 0..n-1, names are unique, optional views come last', () => {
  assert.deepEqual(KERNELS.map((k) => k.code), KERNELS.map((_, i) => i));
  assert.equal(new Set(KERNELS.map((k) => k.name)).size, KERNELS.length);
  for (const k of KERNELS) {
    const views = k.args.filter((a) => a.kind === 'view');
    const firstOptional = views.findIndex((a) => a.kind === 'view' && a.optional === true);
    if (firstOptional >= 0) assert.ok(views.slice(firstOptional).every((a) => a.kind === 'view' && a.optional === true), `${k.name}: optional views must come last`);
    assert.ok(viewCounts(k).min >= 1, `${k.name} takes at least one view`);
  }
});

test('the ref backend implements exactly the required kernels of the table', () => {
  const methods = Object.keys(refBackend).filter((k) => k !== 'name').sort();
  const required = KERNELS.filter((k) => !k.fused).map((k) => k.name).sort();
  assert.deepEqual(methods, required);
});

test('the loaded addon was compiled with the table\'s codes; a different table is refused with the reason', () => {
  const addon = loadAddon();
  if (addon) assert.equal(codesMismatch(addon.codes()), '');
  else console.log('# native addon not loaded: only the mismatch detection is checked here');
  const good: AddonCodes = {
    kernels: KERNELS.map((k) => k.name), unary: [...SUB_OPS.unary], binary: [...SUB_OPS.binary], reduce: [...SUB_OPS.reduce],
    activation: [...SUB_OPS.activation], argReduce: [...SUB_OPS.argReduce], maxDims: 16,
  };
  assert.equal(codesMismatch(good), '');
  assert.match(codesMismatch({ ...good, binary: ['sub', 'add', ...SUB_OPS.binary.slice(2)] }), /binary code 0 is "sub" in the addon but "add"/);
  assert.match(codesMismatch({ ...good, kernels: good.kernels.slice(0, -1) }), /kernels code 24 is undefined in the addon but "softmaxBackward"/);
  assert.match(codesMismatch(undefined), /no codes\(\) table/);
});
