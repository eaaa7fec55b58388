import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { readMnist } from '../../src/data/mnist.js';
import { embeddedSubsetDir } from '../../src/data/datasets.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
let tmp = '';
// No data folder: Fashion-MNIST comes from the embedded subset, as on a fresh machine.
const ENV = (): NodeJS.ProcessEnv => ({ ...process.env, TSGRAD_DATA: join(tmp, 'no-data-here') });

function tsgrad(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: ENV(), encoding: 'utf8', timeout: 120_000, cwd: tmp });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--limit-train', '200', '--limit-test', '100', '--batch-size', '50', '--hidden', '32', '--quiet'];

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tsgrad-cli-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes test image i of the embedded subset as a PNG, enlarged `scale` times by pixel repetition. */
function writeTestPng(path: string, i: number, scale: number): void {
  const { images } = readMnist(embeddedSubsetDir(), 'test');
  const px = (images.toTypedArray() as Float32Array).subarray(i * 784, (i + 1) * 784);
  const s = 28 * scale;
  const png = new PNG({ width: s, height: s });
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const v = Math.round(px[Math.floor(y / scale) * 28 + Math.floor(x / scale)]! * 255);
      png.data.set([v, v, v, 255], (y * s + x) * 4);
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

test('tsgrad train → eval → classify → train --resume on the embedded Fashion-MNIST subset', () => {
  const out = join(tmp, 'run');
  const r = tsgrad('train', ...SMALL, '--epochs', '1', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  // One notice line for the fallback, naming both splits.
  const notices = r.stderr.split('\n').filter((l) => /embedded subset/.test(l));
  assert.equal(notices.length, 1, r.stderr);
  assert.match(notices[0]!, /using the embedded subset \(2000 train and 1000 test images\)/);
  assert.match(r.stdout, new RegExp(`curves: +${join(out, 'curves.png').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.deepEqual(readdirSync(out).sort(), ['checkpoints', 'config.json', 'curves.png', 'curves.svg', 'model.json', 'model.safetensors', 'results.json']);
  // Each checkpoint: a manifest plus its weights and optimizer-state files (binary, no temporaries left).
  const ck = readdirSync(join(out, 'checkpoints')).sort();
  assert.equal(ck.length, 6, ck.join(' '));
  for (const n of ['best', 'last']) {
    assert.ok(ck.includes(`${n}.json`));
    assert.equal(ck.filter((f) => new RegExp(`^${n}-.*\\.(weights|state)\\.safetensors$`).test(f)).length, 2, ck.join(' '));
  }
  const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(res.format, 'tsgrad-results/1');
  // One epoch is "1 epoch"; the best point and bestTestAcc are the same point as result.bestEpoch.
  assert.match(r.stdout, /: 1 epoch, 4 steps, /);
  assert.equal(res.best.epoch, res.result.bestEpoch);
  assert.equal(res.bestTestAcc, res.result.testAcc[res.result.bestIndex]);
  assert.equal(res.highestTestAcc.value, Math.max(...res.result.testAcc));
  assert.deepEqual(res.result.epoch, [1]);
  assert.deepEqual(res.result.step, [4]); // 200 images / 50 per batch
  // --val-split's default holds out 10% of the 200 images (seeded); they choose the best point, the test set does not.
  assert.equal(res.dataset.trainSize, 180);
  assert.equal(res.dataset.valSize, 20);
  assert.equal(res.best.by, 'valLoss');
  assert.equal(res.best.valLoss, res.result.valLoss[res.result.bestIndex]);
  assert.equal(res.result.valLoss.length, res.result.testLoss.length);
  assert.equal(res.dataset.testSize, 100);
  assert.match(res.dataset.source, /embedded Fashion-MNIST subset/);
  assert.equal(res.config.lr, 0.001); // adam's default
  assert.ok(res.finalTestAcc > 0.3, `better than chance (10%): ${res.finalTestAcc}`);
  const model = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.deepEqual(model.config, { model: 'mlp', inputShape: [1, 28, 28], numClasses: 10, hidden: [32], dropout: 0 });
  assert.equal(model.classes[9], 'Ankle boot');
  assert.ok(readFileSync(join(out, 'curves.png')).subarray(1, 4).toString() === 'PNG');

  // eval recomputes the final test accuracy on the same 100 images through its own path.
  const ev = tsgrad('eval', '--model-dir', out, '--limit', '100', '--json');
  assert.equal(ev.code, 0, ev.stderr);
  const rep = JSON.parse(ev.stdout);
  assert.equal(rep.numSamples, 100);
  assert.equal(rep.accuracy, res.finalTestAcc);
  assert.ok(Math.abs(rep.loss - res.result.testLoss[0]) < 1e-5);
  assert.equal(rep.perClass.reduce((s: number, c: { count: number }) => s + c.count, 0), 100);
  // The confusion matrix agrees with the accuracy; macro scores are the means of the per-class ones.
  assert.equal(rep.confusion.flat().reduce((s: number, v: number) => s + v, 0), 100);
  assert.equal(rep.confusion.reduce((s: number, row: number[], i: number) => s + row[i]!, 0) / 100, rep.accuracy);
  const meanOf = (key: 'precision' | 'recall' | 'f1') => rep.perClass.reduce((s: number, c: Record<string, number>) => s + c[key]!, 0) / rep.perClass.length;
  for (const key of ['precision', 'recall', 'f1'] as const) assert.ok(Math.abs(rep.macro[key] - meanOf(key)) < 1e-12, key);
  const evText = tsgrad('eval', '--model-dir', out, '--limit', '100');
  assert.match(evText.stdout, /macro precision [\d.]+% {2}recall [\d.]+% {2}F1 [\d.]+%/);
  assert.match(evText.stdout, /confusion matrix \(rows: true class, columns: predicted\)\ntrue \\ predicted/);

  // classify: a 28×28 PNG and the same image enlarged 3× (area averaging recovers it exactly) agree.
  writeTestPng(join(tmp, 'a.png'), 0, 1);
  writeTestPng(join(tmp, 'a3.png'), 0, 3);
  const cl = tsgrad('classify', '--model-dir', out, '--top', '3', '--json', join(tmp, 'a.png'), join(tmp, 'a3.png'));
  assert.equal(cl.code, 0, cl.stderr);
  const [a, a3] = JSON.parse(cl.stdout);
  assert.equal(a.top.length, 3);
  assert.ok(a.top[0].probability >= a.top[1].probability);
  assert.deepEqual(a3.top.map((t: { name: string }) => t.name), a.top.map((t: { name: string }) => t.name));
  assert.ok(Math.abs(a3.top[0].probability - a.top[0].probability) < 1e-5);
  const plain = tsgrad('classify', '--model-dir', out, join(tmp, 'a.png'));
  assert.equal(plain.stdout, `${join(tmp, 'a.png')}: ${a.top[0].name} (${(100 * a.top[0].probability).toFixed(1)}%)\n`);

  // Resume to 2 epochs: the first epoch is kept as it was, one more is added.
  const again = tsgrad('train', ...SMALL, '--epochs', '2', '--out', out);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a run; pass --resume/);
  const diff = tsgrad('train', ...SMALL, '--epochs', '2', '--lr', '0.01', '--out', out, '--resume');
  assert.equal(diff.code, 2);
  assert.match(diff.stderr, /--resume: the flags differ from the run saved in .*lr: saved 0\.001, now 0\.01/);
  const re = tsgrad('train', ...SMALL, '--epochs', '2', '--out', out, '--resume');
  assert.equal(re.code, 0, re.stderr);
  assert.match(re.stderr, /resuming .* after epoch 1 \(step 4\)/);
  const res2 = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.deepEqual(res2.result.epoch, [1, 2]);
  assert.deepEqual(res2.result.step, [4, 8]);
  assert.deepEqual(res2.result.trainLoss.slice(0, 1), res.result.trainLoss);
  assert.deepEqual(res2.result.testAcc.slice(0, 1), res.result.testAcc);
  assert.ok(res2.result.trainLoss[1] < res2.result.trainLoss[0], 'training lowers the loss');

  // eval of weights that do not fit model.json: a clear error naming both files.
  const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  meta.config.hidden = [16];
  writeFileSync(join(out, 'model.json'), JSON.stringify(meta));
  const bad = tsgrad('eval', '--model-dir', out);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /model\.safetensors does not fit the mlp described in .*model\.json: [\s\S]*Size mismatch for "1\.weight": the checkpoint has shape \[32,784\], the model expects \[16,784\]/);
});

test('tsgrad train: bad flags and a missing data folder fail with exit 2 and write nothing', () => {
  const out = join(tmp, 'bad');
  const cases: [string[], RegExp][] = [
    [['--epoch', '3'], /unknown flag --epoch \(did you mean --epochs\?\)/],
    [['--lr', 'fast'], /--lr must be a number, got "fast"/],
    [['--model', 'transformer'], /unknown model "transformer": expected a built-in \(mlp, cnn, convnet, resnet, custom\), a registered model \(.*\), or --model-file FILE\.js/],
    [['--batch-size', '0'], /--batch-size must be >= 1, got "0"/],
    [['--dropout', '1.5'], /--dropout must be <= 0.95, got "1.5"/],
    [['--hidden', '32,x'], /--hidden must be positive whole numbers/],
    [['--data-dir', join(tmp, 'missing-folder')], /--data-dir .*missing-folder does not exist/],
    [['--resume'], /--resume: .* holds no checkpoint to resume/],
  ];
  for (const [args, re] of cases) {
    const r = tsgrad('train', ...args, '--out', out);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.ok(!r.stderr.includes('    at '), 'no stack trace');
    assert.ok(!existsSync(out), `${args.join(' ')} created ${out}`);
  }
  const ev = tsgrad('eval', '--model-dir', join(tmp, 'nowhere'));
  assert.equal(ev.code, 1);
  assert.match(ev.stderr, /model directory .*nowhere does not exist/);
  assert.equal(tsgrad('eval').code, 2);
  const cl = tsgrad('classify', '--model-dir', join(tmp, 'nowhere'));
  assert.equal(cl.code, 2);
  assert.match(cl.stderr, /expected at least 1 PNG image\(s\), got 0/);
});

test('tsgrad train: a NaN loss stops with the step and the last finite loss, and leaves no results or model', () => {
  const out = join(tmp, 'nan');
  const r = tsgrad('train', ...SMALL, '--optimizer', 'sgd', '--lr', '1e5', '--epochs', '2', '--out', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Trainer: the loss became (NaN|Infinity) at step \d+ \(epoch \d\); the last finite loss was [\d.e+]+ at step \d+/);
  for (const f of ['results.json', 'model.safetensors', 'model.json', 'curves.png']) assert.ok(!existsSync(join(out, f)), `${f} was written`);
  // Nothing temporary is left behind either.
  assert.deepEqual(readdirSync(out).filter((f) => f.includes('.tmp')), []);
});

test('tsgrad train without --out: tsgrad-run, then tsgrad-run-2, so the plain command can be repeated', () => {
  const args = ['train', '--limit-train', '50', '--limit-test', '50', '--batch-size', '50', '--hidden', '8', '--epochs', '1', '-q'];
  const a = tsgrad(...args);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, new RegExp(`curves: +${join(tmp, 'tsgrad-run', 'curves.png')}\n`));
  const b = tsgrad(...args);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, new RegExp(`curves: +${join(tmp, 'tsgrad-run-2', 'curves.png')}\n`));
  assert.ok(existsSync(join(tmp, 'tsgrad-run-2', 'results.json')));
});
