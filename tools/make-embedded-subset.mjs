#!/usr/bin/env node
// Builds assets/fashion-mnist-subset/: a small class-balanced subset of Fashion-MNIST (MIT licence),
// stored as gzipped IDX files that readMnist reads like the full data. It is the dataset the CLI
// falls back to on a machine with no network and no data directory.
//
// Selection: walking each official file in its original order, keep an image when its class still
// has room: 200 per class from the training set (2000 images), 100 per class from the test set
// (1000 images). Kept images stay in their original relative order.
//
// Usage: node tools/make-embedded-subset.mjs [SOURCE_DIR]   (default ../shared/datasets/fashion-mnist)
/* global process, Buffer, URL, console */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = resolve(process.argv[2] ?? join(root, '../shared/datasets/fashion-mnist'));
const out = join(root, 'assets/fashion-mnist-subset');
const PER_CLASS = { train: 200, t10k: 100 };
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function readIdx(path, magic) {
  const b = gunzipSync(readFileSync(path));
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0) !== magic) throw new Error(`${path}: bad magic ${v.getUint32(0).toString(16)}`);
  return b;
}

function writeAtomic(path, data) {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

const md5 = (b) => createHash('md5').update(b).digest('hex');
mkdirSync(out, { recursive: true });
const rows = [];
const indices = {};
for (const split of ['train', 't10k']) {
  const img = readIdx(join(src, `${split}-images-idx3-ubyte.gz`), 0x803);
  const lbl = readIdx(join(src, `${split}-labels-idx1-ubyte.gz`), 0x801);
  const n = lbl.readUInt32BE(4);
  const counts = new Array(10).fill(0);
  const keep = [];
  for (let i = 0; i < n && keep.length < 10 * PER_CLASS[split]; i++) {
    const c = lbl[8 + i];
    if (counts[c] < PER_CLASS[split]) {
      counts[c]++;
      keep.push(i);
    }
  }
  const m = keep.length;
  const imgOut = Buffer.alloc(16 + m * 784);
  imgOut.writeUInt32BE(0x803, 0);
  imgOut.writeUInt32BE(m, 4);
  imgOut.writeUInt32BE(28, 8);
  imgOut.writeUInt32BE(28, 12);
  const lblOut = Buffer.alloc(8 + m);
  lblOut.writeUInt32BE(0x801, 0);
  lblOut.writeUInt32BE(m, 4);
  keep.forEach((i, k) => {
    img.copy(imgOut, 16 + k * 784, 16 + i * 784, 16 + (i + 1) * 784);
    lblOut[8 + k] = lbl[8 + i];
  });
  indices[split] = keep;
  for (const [name, raw] of [[`${split}-images-idx3-ubyte.gz`, imgOut], [`${split}-labels-idx1-ubyte.gz`, lblOut]]) {
    // Level 9 and Node's fixed gzip header (mtime 0) make the output byte-reproducible.
    const gz = gzipSync(raw, { level: 9 });
    writeAtomic(join(out, name), gz);
    rows.push(`| \`${name}\` | ${gz.length} | \`${md5(gz)}\` | ${m} ${name.includes('images') ? 'images' : 'labels'}; last source index ${keep[m - 1]} |`);
  }
}
writeAtomic(join(out, 'indices.json'), JSON.stringify({ train: indices.train, t10k: indices.t10k }) + '\n');

const readme = `# Embedded Fashion-MNIST subset

A small, class-balanced subset of Fashion-MNIST shipped inside the tsgrad package, so that
\`tsgrad train\` works on a machine with no network and no data directory. \`loadDataset('fashion-mnist', ...)\`
uses it, with a one-line notice, when the full data cannot be found or fetched.

- Origin: Fashion-MNIST by Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf, 2017),
  https://github.com/zalandoresearch/fashion-mnist, taken from the official files
  (train-images-idx3-ubyte.gz md5 8d4fb7e6c68d591d4c3dfef9ec88bf0d, train-labels-idx1-ubyte.gz
  md5 25c81989df183df01b3e8a0aad5dffbe, t10k-images-idx3-ubyte.gz md5 bef4ecab320f06d8554ea6380940ec79,
  t10k-labels-idx1-ubyte.gz md5 bb300cfdad3c16e7a12a480ee83cd310).
- Licence: MIT, Copyright (c) 2017 Zalando SE (the Fashion-MNIST licence, copied in \`LICENSE\`; the pixels are unchanged).
- Selection: walking each official file in its original order, an image is kept while its class has
  fewer than ${PER_CLASS.train} (training set) or ${PER_CLASS.t10k} (test set) kept images. So the subset holds
  ${10 * PER_CLASS.train} training images (${PER_CLASS.train} of each of the 10 classes) and ${10 * PER_CLASS.t10k} test images (${PER_CLASS.t10k} of each), in their
  original relative order. \`indices.json\` lists the kept 0-based indices into the official files.
- Format: the official IDX layout (big-endian headers, magic 0x00000803 for images, 0x00000801 for
  labels), gzip level 9; \`readMnist(dir, split)\` reads it like the full data.
- Classes: ${CLASSES.map((c, i) => `${i} ${c}`).join(', ')}.
- Rebuild: \`node tools/make-embedded-subset.mjs [path/to/fashion-mnist]\` (byte-reproducible).

| file | bytes | md5 | content |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
writeAtomic(join(out, 'README.md'), readme);
writeAtomic(join(out, 'LICENSE'), `The MIT License (MIT)

Copyright © 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the “Software”), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED “AS IS”, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`);
console.log(readme);
