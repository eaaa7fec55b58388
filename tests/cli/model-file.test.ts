import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { readMnist } from '../../src/data/mnist.js';
import { embeddedSubsetDir } from '../../src/data/datasets.js';

// Your own model in every command: a JS file that imports the package as a user's project would
// (node_modules/tsgrad links to this repository) and is passed with --model-file.
const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
let tmp = '';

function tsgrad(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: { ...process.env, TSGRAD_DATA: join(tmp, 'no-data-here') }, encoding: 'utf8', timeout: 120_000, cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const NET = `import * as tg from 'tsgrad';
const { nn } = tg;
/** Flatten → Linear(width) → ReLU → Linear: the default export is the factory. */
export default function makeNet({ inputShape, numClasses, options }) {
  const [c, h, w] = inputShape;
  const width = options.width ?? 24;
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(c * h * w, width), new nn.ReLU(), new nn.Linear(width, numClasses));
}
/** A named export: a single linear layer. */
export function linear({ inputShape, numClasses }) {
  return new nn.Sequential(new nn.Flatten(), new nn.Linear(inputShape[0] * inputShape[1] * inputShape[2], numClasses));
}
tg.models.register('tiny-mlp', makeNet);
export const notAFactory = 3;
`;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-model-file-'));
  mkdirSync(join(tmp, 'node_modules'));
  symlinkSync(REPO, join(tmp, 'node_modules', 'tsgrad'), 'dir');
  writeFileSync(join(tmp, 'my-net.js'), NET);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const SMALL = ['--epochs', '1', '--limit-train', '200', '--limit-test', '100', '--batch-size', '50', '--quiet'];

/** The final test accuracy a run reported. */
const finalAcc = (dir: string): number => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { finalTestAcc: number }).finalTestAcc;

/** eval's accuracy on the first 100 test images, from its JSON report. */
function evalAcc(...args: string[]): number {
  const r = tsgrad('eval', '--limit', '100', '--json', ...args);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { accuracy: number }).accuracy;
}

test('train --model-file: the default export is trained; model.json records the file; eval and classify rebuild it', () => {
  const r = tsgrad('train', '--model-file', './my-net.js', '--model-options', '{"width":20}', ...SMALL, '--out', 'mine');
  assert.equal(r.code, 0, r.stderr);
  const meta = JSON.parse(readFileSync(join(tmp, 'mine', 'model.json'), 'utf8')) as { config: { model: string; file: { path: string }; options: { width: number } } };
  assert.equal(meta.config.model, 'file');
  assert.equal(meta.config.file.path, join(tmp, 'my-net.js'));
  assert.equal(meta.config.options.width, 20);
  // Same weights rebuilt: eval on the same 100 test images gives the accuracy the run reported.
  assert.equal(evalAcc('--model-dir', 'mine'), finalAcc(join(tmp, 'mine')));
  const { images } = readMnist(embeddedSubsetDir(), 'test');
  const px = (images.toTypedArray() as Float32Array).subarray(0, 784);
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) png.data.set([Math.round(px[i]! * 255), Math.round(px[i]! * 255), Math.round(px[i]! * 255), 255], i * 4);
  writeFileSync(join(tmp, 'img.png'), PNG.sync.write(png));
  const c = tsgrad('classify', '--model-dir', 'mine', '--json', 'img.png');
  assert.equal(c.code, 0, c.stderr);
  const top = (JSON.parse(c.stdout) as { top: { probability: number }[] }[])[0]!.top[0]!;
  assert.ok(top.probability > 0 && top.probability <= 1);
  // The file moved: eval says where it looked; --model-file points at the new place.
  mkdirSync(join(tmp, 'moved'));
  renameSync(join(tmp, 'my-net.js'), join(tmp, 'moved', 'my-net.js'));
  try {
    const bad = tsgrad('eval', '--model-dir', 'mine', '--limit', '10');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /model file .*my-net\.js does not exist/);
    assert.equal(evalAcc('--model-dir', 'mine', '--model-file', 'moved/my-net.js'), finalAcc(join(tmp, 'mine')));
  } finally {
    renameSync(join(tmp, 'moved', 'my-net.js'), join(tmp, 'my-net.js'));
  }
});

test('train --model NAME with a file that registers it, #named exports, resnet and custom', () => {
  const reg = tsgrad('train', '--model', 'tiny-mlp', '--model-file', 'my-net.js', ...SMALL, '--out', 'reg');
  assert.equal(reg.code, 0, reg.stderr);
  const meta = JSON.parse(readFileSync(join(tmp, 'reg', 'model.json'), 'utf8')) as { config: { model: string; file: { path: string; export?: string } } };
  assert.equal(meta.config.model, 'tiny-mlp');
  assert.equal(meta.config.file.export, undefined);
  assert.equal(evalAcc('--model-dir', 'reg'), finalAcc(join(tmp, 'reg')));

  const named = tsgrad('train', '--model-file', 'my-net.js#linear', ...SMALL, '--out', 'named');
  assert.equal(named.code, 0, named.stderr);
  assert.equal((JSON.parse(readFileSync(join(tmp, 'named', 'model.json'), 'utf8')) as { config: { file: { export: string } } }).config.file.export, 'linear');
  assert.equal(evalAcc('--model-dir', 'named'), finalAcc(join(tmp, 'named')));

  for (const model of ['resnet', 'custom']) {
    const r = tsgrad('train', '--model', model, '--model-options', '{"K":[4],"L":1,"H":[8]}', ...SMALL, '--out', model);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(evalAcc('--model-dir', model), finalAcc(join(tmp, model)));
  }
});

test('--model-file errors name the file and what was expected', () => {
  const missing = tsgrad('train', '--model-file', 'nope.js', ...SMALL, '--out', 'e1');
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /model file .*nope\.js does not exist/);
  const notFn = tsgrad('train', '--model-file', 'my-net.js#notAFactory', ...SMALL, '--out', 'e2');
  assert.notEqual(notFn.code, 0);
  assert.match(notFn.stderr, /has no export "notAFactory" that is a factory function/);
  const unknown = tsgrad('train', '--model', 'resnet50x', ...SMALL, '--out', 'e3');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown model "resnet50x": expected a built-in \(mlp, cnn, convnet, resnet, custom\)/);
  const opts = tsgrad('train', '--model', 'resnet', '--model-options', '[1]', ...SMALL, '--out', 'e4');
  assert.equal(opts.code, 2);
  assert.match(opts.stderr, /--model-options must be a JSON object/);
});

test('run-exp --model-file saves weights that eval rebuilds; sweep --model-file runs the grid with it', () => {
  const run = ['--epochs', '1', '--subset-train', '200', '--subset-test', '100', '--bs-train', '50', '--early-stopping', 'none'];
  const r = tsgrad('run-exp', '-n', 'mine', '--model', 'tiny-mlp', '--model-file', 'my-net.js', ...run, '--out', 'exp');
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(readFileSync(join(tmp, 'exp', 'mine_L2_K32.json'), 'utf8')) as { modelDir: string; config: { modelFile: string }; result: { testAcc: number[] } };
  assert.equal(res.config.modelFile, join(tmp, 'my-net.js'));
  assert.equal(res.modelDir, join(tmp, 'exp', 'mine_L2_K32.model'));
  assert.equal(evalAcc('--model-dir', res.modelDir), res.result.testAcc.at(-1));
  // Three epochs: the saved weights are those of the lowest validation loss (10% of the 200 images held out).
  const v = tsgrad('run-exp', '-n', 'val', '-K', '4', '-H', 'none', ...run.map((a) => (a === '1' ? '3' : a)), '--lr', '0.05', '--out', 'exp');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /at the lowest validation loss, epoch \d: /);
  const vr = JSON.parse(readFileSync(join(tmp, 'exp', 'val_L2_K4.json'), 'utf8')) as { dataSource: { numTrain: number; numVal: number }; result: { valLoss: number[]; testAcc: number[]; bestIndex: number } };
  assert.deepEqual([vr.dataSource.numTrain, vr.dataSource.numVal], [180, 20]);
  assert.equal(vr.result.valLoss.length, 3);
  assert.equal(vr.result.bestIndex, vr.result.valLoss.indexOf(Math.min(...vr.result.valLoss)));
  assert.equal(evalAcc('--model-dir', join('exp', 'val_L2_K4.model')), vr.result.testAcc[vr.result.bestIndex]);
  // A built-in kind is saved under its registry name and rebuilt without any file.
  const b = tsgrad('run-exp', '-n', 'cnn', '-K', '4', '-H', 'none', ...run, '--out', 'exp');
  assert.equal(b.code, 0, b.stderr);
  const meta = JSON.parse(readFileSync(join(tmp, 'exp', 'cnn_L2_K4.model', 'model.json'), 'utf8')) as { config: { model: string; options: { K: number[] } } };
  assert.equal(meta.config.model, 'conv-classifier');
  assert.deepEqual(meta.config.options.K, [4]);
  const cnnRes = JSON.parse(readFileSync(join(tmp, 'exp', 'cnn_L2_K4.json'), 'utf8')) as { result: { testAcc: number[] } };
  assert.equal(evalAcc('--model-dir', join('exp', 'cnn_L2_K4.model')), cnnRes.result.testAcc.at(-1));

  mkdirSync(join(tmp, 'grids'));
  writeFileSync(join(tmp, 'grids', 'g.yaml'), `defaults:\n  subset-train: 200\n  subset-test: 100\n  epochs: 1\n  early-stopping: none\n  bs-train: 50\nexperiments:\n  - name: sw\n    K: [[8], [16]]\n`);
  const s = tsgrad('sweep', 'grids/g.yaml', '--model-file', 'my-net.js', '--out', 'sw');
  assert.equal(s.code, 0, s.stdout + s.stderr);
  for (const n of ['sw_L2_K8', 'sw_L2_K16']) {
    const rr = JSON.parse(readFileSync(join(tmp, 'sw', `${n}.json`), 'utf8')) as { config: { model: string; modelFile: string }; numParams: number };
    assert.equal(rr.config.model, 'file');
    assert.equal(rr.config.modelFile, join(tmp, 'my-net.js'));
    assert.equal(rr.numParams, 784 * 24 + 24 + 24 * 10 + 10); // makeNet's default width: the file's model, not a CNN
    assert.ok(existsSync(join(tmp, 'sw', `${n}.model`, 'model.safetensors')));
  }
});
