/**
 * Binary classification of two chosen MNIST digits with hand-derived layers
 * (src/layers, autograd off): Linear → ReLU → … → Linear → Sigmoid, trained with
 * plain SGD on the mean squared error between the sigmoid output and the target
 * (0 for the first digit, 1 for the second). Saves a training-curve figure and a
 * figure of test digits labelled with their predictions (wrong ones in red).
 *
 * Run: node dist/examples/mnist-two-digits.js [--digits 3,8] [--hidden 100] [--lr 0.5]
 *        [--epochs 3] [--batch-size 64] [--seed 0] [--data-dir DIR] [--out runs/mnist-two-digits]
 * DIR holds mnist/ (default $TSGRAD_DATA, else ~/.cache/tsgrad).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import * as tg from '../src/index.js';
import * as L from '../src/layers/index.js';
import { loadDataset } from '../src/data/datasets.js';
import { plotCurves } from '../src/plot/curves.js';
import { svgToPng } from '../src/plot/render.js';
import { writeFileAtomic } from '../src/core/atomic-write.js';
import { writePlot } from '../src/plot/write.js';

const { values } = parseArgs({
  options: {
    digits: { type: 'string', default: '3,8' },
    hidden: { type: 'string', default: '100' },
    lr: { type: 'string', default: '0.5' },
    epochs: { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    'data-dir': { type: 'string' },
    out: { type: 'string', default: 'runs/mnist-two-digits' },
  },
});
const digits = values.digits!.split(',').map(Number);
if (digits.length !== 2 || digits.some((d) => !Number.isInteger(d) || d < 0 || d > 9) || digits[0] === digits[1]) {
  throw new Error(`mnist-two-digits: --digits must be two different digits 0-9, got ${JSON.stringify(values.digits)}`);
}
const [neg, pos] = digits as [number, number];
const hidden = values.hidden!.trim() === '' ? [] : values.hidden!.split(',').map(Number);
const lr = Number(values.lr);
const epochs = Number(values.epochs);
const batchSize = Number(values['batch-size']);
const seed = Number(values.seed);
const out = resolve(values.out!);

/** Images of the two digits, flattened to [N, 784], with targets [N, 1] (1 for `pos`) and the digit labels. */
async function twoDigits(split: 'train' | 'test'): Promise<{ x: tg.Tensor; t: tg.Tensor; digit: number[] }> {
  const d = await loadDataset('mnist', split, { dataDir: values['data-dir'] });
  const labels = d.labels.toTypedArray();
  const keep: number[] = [];
  labels.forEach((l, i) => (l === neg || l === pos) && keep.push(i));
  const idx = tg.tensor(Int32Array.from(keep));
  const x = tg.indexSelect(d.images.reshape([labels.length, 784]), 0, idx);
  const digit = keep.map((i) => labels[i]!);
  return { x, t: tg.tensor(Float32Array.from(digit, (l) => (l === pos ? 1 : 0)), { shape: [keep.length, 1] }), digit };
}

const train = await twoDigits('train');
const test = await twoDigits('test');
const g = new tg.Generator(seed);
const layers: L.Layer[] = [];
let prev = 784;
for (const h of hidden) {
  layers.push(new L.Linear(prev, h, { generator: g }), new L.ReLU());
  prev = h;
}
const net = new L.Sequential(...layers, new L.Linear(prev, 1, { generator: g }), new L.Sigmoid());
const loss = new L.MSELoss();
console.error(`${net.toString()}\n${train.digit.length} training and ${test.digit.length} test images of the digits ${neg} (target 0) and ${pos} (target 1)`);

/** Accuracy of thresholding the sigmoid output at 0.5. */
function evaluate(): { acc: number; p: Float32Array | Float64Array } {
  net.eval();
  const p = net.forward(test.x).toTypedArray() as Float32Array;
  net.train();
  let ok = 0;
  test.digit.forEach((d, i) => (p[i]! >= 0.5) === (d === pos) && ok++);
  return { acc: ok / test.digit.length, p };
}

const n = train.digit.length;
const stepsPerEpoch = Math.floor(n / batchSize);
const lossX: number[] = [];
const lossY: number[] = [];
const accX: number[] = [0];
const accY: number[] = [evaluate().acc];
let step = 0;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const perm = g.permutation(n);
  for (let b = 0; b < stepsPerEpoch; b++) {
    const idx = tg.tensor(perm.subarray(b * batchSize, (b + 1) * batchSize));
    const y = net.forward(tg.indexSelect(train.x, 0, idx));
    lossY.push(loss.forward(y, tg.indexSelect(train.t, 0, idx)).item());
    lossX.push(++step);
    net.backward(loss.backward());
    L.sgdStep(net, { lr });
  }
  accX.push(step);
  accY.push(evaluate().acc);
  console.error(`epoch ${epoch}/${epochs}  step ${step}  last batch loss ${lossY[lossY.length - 1]!.toFixed(4)}  test accuracy ${(100 * accY[accY.length - 1]!).toFixed(2)}%`);
}

const final = evaluate();
const title = `MNIST ${neg} vs ${pos}: MLP [${hidden.join(',')}] + sigmoid, squared error`;
writePlot(join(out, 'training-loss'), await plotCurves([{ name: 'train (batch)', x: lossX, y: lossY }], { title, xLabel: 'step', yLabel: 'mean squared error' }));
writePlot(join(out, 'test-accuracy'), await plotCurves([{ name: 'test', x: accX, y: accY }], { title, xLabel: 'step', yLabel: 'accuracy', yFormat: '%' }));

/** One 28×28 digit as a base64 PNG (dark ink on white). */
function digitPng(i: number): string {
  const px = test.x.select(0, i).toTypedArray();
  const png = new PNG({ width: 28, height: 28 });
  for (let k = 0; k < 784; k++) {
    const v = Math.round(255 * (1 - px[k]!));
    png.data.set([v, v, v, 255], 4 * k);
  }
  return PNG.sync.write(png).toString('base64');
}

// The grid: the first test images, then every mistake (up to a limit), each with its prediction.
const wrong = test.digit.map((_, i) => i).filter((i) => (final.p[i]! >= 0.5) !== (test.digit[i] === pos));
const shown = [...Array.from({ length: 40 }, (_, i) => i), ...wrong.slice(0, 24)];
const cols = 8;
const cell = 84;
const rows = Math.ceil(shown.length / cols);
const cells = shown.map((i, k) => {
  const x = (k % cols) * cell;
  const y = 30 + Math.floor(k / cols) * (cell + 18);
  const pred = final.p[i]! >= 0.5 ? pos : neg;
  const color = pred === test.digit[i] ? '#1a7f37' : '#cf222e';
  return (
    `<image x="${x + 7}" y="${y}" width="70" height="70" href="data:image/png;base64,${digitPng(i)}" style="image-rendering:pixelated"/>` +
    `<text x="${x + cell / 2}" y="${y + 86}" fill="${color}" text-anchor="middle">${pred} (p=${final.p[i]!.toFixed(2)})</text>`
  );
});
const svg =
  `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * cell}" height="${30 + rows * (cell + 18)}" font-family="DejaVu Sans" font-size="12">` +
  `<rect width="100%" height="100%" fill="white"/>` +
  `<text x="4" y="18" font-size="14">Test digits ${neg}/${pos}: prediction (p = sigmoid output); first 40, then ${Math.min(24, wrong.length)} of ${wrong.length} mistakes in red</text>` +
  cells.join('') +
  '</svg>';
writeFileAtomic(join(out, 'test-predictions.svg'), svg, { makeDirs: true });
writeFileAtomic(join(out, 'test-predictions.png'), await svgToPng(svg), { makeDirs: true });

console.error(`wrote ${out}/{training-loss,test-accuracy,test-predictions}.{svg,png}`);
console.log(JSON.stringify({ digits: [neg, pos], hidden, lr, epochs, batchSize, seed, testImages: test.digit.length, testAccuracy: final.acc, mistakes: wrong.length }));
