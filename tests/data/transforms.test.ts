import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../src/index.js';
import { colorJitter, compose, normalize, randomCrop, randomHorizontalFlip } from '../../src/data/index.js';
import { assertClose } from '../helpers.js';

/** One 3x3 image per channel with values 1..9 (+10 per channel), batch of n copies. */
function grid(n = 1, c = 1): tg.Tensor {
  const d = new Float32Array(n * c * 9);
  for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let j = 0; j < 9; j++) d[(b * c + k) * 9 + j] = j + 1 + 10 * k;
  return tg.tensor(d, { shape: [n, c, 3, 3] });
}

describe('normalize', () => {
  it('subtracts the mean and divides by the std of each channel', () => {
    const x = tg.tensor([[[[0, 1]], [[0.5, 1]]]]); // [1,2,1,2]
    assertClose(normalize([0.5, 0.25], [0.5, 0.25])(x), [[[[-1, 1]], [[1, 3]]]]);
    assertClose(normalize(0.5, 2)(tg.tensor([[[1, 3]]])), [[[0.25, 1.25]]]); // one image [C,H,W]
    assert.deepEqual(normalize(0.5, 2)(tg.tensor([[[1, 3]]])).shape, [1, 1, 2]);
  });

  it('rejects a channel count that does not match, zero std, and non-image input', () => {
    assert.throws(() => normalize([0.5, 0.5, 0.5], [1, 1, 1])(tg.zeros([2, 1, 4, 4])), /normalize: 3 means and stds for 1 channels \(images \[2,1,4,4\]\)/);
    assert.throws(() => normalize([0.5], [0]), /std\[0\] is 0/);
    assert.throws(() => normalize(0, 1)(tg.zeros([4, 4])), /expected images \[N,C,H,W\] or one image \[C,H,W\], got shape \[4,4\]/);
    assert.throws(() => normalize(0, 1)(tg.zeros([1, 1, 2, 2], { dtype: 'int32' })), /expected a float32 or float64 image tensor, got int32/);
  });
});

describe('randomHorizontalFlip', () => {
  it('mirrors every row at p=1, copies at p=0', () => {
    const x = grid(1, 2);
    assertClose(randomHorizontalFlip(1)(x), [[[[3, 2, 1], [6, 5, 4], [9, 8, 7]], [[13, 12, 11], [16, 15, 14], [19, 18, 17]]]]);
    assertClose(randomHorizontalFlip(0)(x), x);
  });

  it('at p=0.5 flips some images of a batch and not others, reproducibly for a seed', () => {
    const x = grid(64);
    const flipped = [[3, 2, 1], [6, 5, 4], [9, 8, 7]].flat();
    const plain = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const kinds = (y: tg.Tensor): string => {
      const d = Array.from(y.toTypedArray());
      return Array.from({ length: 64 }, (_, b) => {
        const img = d.slice(b * 9, b * 9 + 9);
        if (img.every((v, i) => v === flipped[i])) return 'f';
        assert.deepEqual(img, plain);
        return '.';
      }).join('');
    };
    const a = kinds(randomHorizontalFlip(0.5, { generator: new tg.Generator(7) })(x));
    const nf = [...a].filter((c) => c === 'f').length;
    assert.ok(nf > 16 && nf < 48, `flipped ${nf} of 64`);
    assert.equal(kinds(randomHorizontalFlip(0.5, { generator: new tg.Generator(7) })(x)), a);
    assert.notEqual(kinds(randomHorizontalFlip(0.5, { generator: new tg.Generator(8) })(x)), a);
  });
});

describe('randomCrop', () => {
  it('pads with constant, reflect or edge values (a crop that fits exactly shows the whole padded image)', () => {
    const x = grid();
    assertClose(randomCrop(5, { padding: 1, fill: -1 })(x), [[[
      [-1, -1, -1, -1, -1], [-1, 1, 2, 3, -1], [-1, 4, 5, 6, -1], [-1, 7, 8, 9, -1], [-1, -1, -1, -1, -1]]]]);
    assertClose(randomCrop(5, { padding: 1, paddingMode: 'reflect' })(x), [[[
      [5, 4, 5, 6, 5], [2, 1, 2, 3, 2], [5, 4, 5, 6, 5], [8, 7, 8, 9, 8], [5, 4, 5, 6, 5]]]]);
    assertClose(randomCrop(5, { padding: 1, paddingMode: 'edge' })(x), [[[
      [1, 1, 2, 3, 3], [1, 1, 2, 3, 3], [4, 4, 5, 6, 6], [7, 7, 8, 9, 9], [7, 7, 8, 9, 9]]]]);
  });

  it('cuts each image at its own random offset: every output is one of the 9 shifts of the zero-padded image', () => {
    const x = grid(200, 2);
    const shifts = new Map<string, number>();
    // The 9 windows of the zero-padded 5x5 image, built independently of the transform.
    for (let dy = 0; dy < 3; dy++) {
      for (let dx = 0; dx < 3; dx++) {
        const w: number[] = [];
        for (let k = 0; k < 2; k++) {
          for (let y = 0; y < 3; y++) {
            for (let xx = 0; xx < 3; xx++) {
              const sy = y + dy - 1;
              const sx = xx + dx - 1;
              w.push(sy >= 0 && sy < 3 && sx >= 0 && sx < 3 ? sy * 3 + sx + 1 + 10 * k : 0);
            }
          }
        }
        shifts.set(w.join(','), 0);
      }
    }
    const y = randomCrop(3, { padding: 1, generator: new tg.Generator(5) })(x);
    assert.deepEqual(y.shape, [200, 2, 3, 3]);
    const d = Array.from(y.toTypedArray());
    for (let b = 0; b < 200; b++) {
      const key = d.slice(b * 18, b * 18 + 18).join(',');
      assert.ok(shifts.has(key), `image ${b} is no shift of the padded input: ${key}`);
      shifts.set(key, shifts.get(key)! + 1);
    }
    for (const [k, c] of shifts) assert.ok(c >= 8, `shift ${k} drawn only ${c} times of 200`);
    assertClose(randomCrop(3, { padding: 1, generator: new tg.Generator(5) })(x), y);
  });

  it('crops to a smaller [h, w] and rejects crops larger than the padded image', () => {
    const y = randomCrop([2, 3], { generator: new tg.Generator(0) })(grid(4));
    assert.deepEqual(y.shape, [4, 1, 2, 3]);
    const d = Array.from(y.toTypedArray());
    for (let b = 0; b < 4; b++) assert.ok(['1,2,3,4,5,6', '4,5,6,7,8,9'].includes(d.slice(b * 6, b * 6 + 6).join(',')));
    assert.throws(() => randomCrop(6, { padding: 1 })(grid()), /randomCrop: crop 6x6 is larger than the padded image 5x5 \(images \[1,1,3,3\], padding 1\)/);
  });
});

describe('colorJitter', () => {
  const rgb = (): tg.Tensor => tg.tensor([[[[0.2, 0.4]], [[0.6, 0.1]], [[0.3, 0.5]]]]); // [1,3,1,2]

  it('brightness scales values by the factor and clamps to [0, 1]', () => {
    assertClose(colorJitter({ brightness: [2, 2] })(rgb()), [[[[0.4, 0.8]], [[1, 0.2]], [[0.6, 1]]]]);
    assertClose(colorJitter({ brightness: [2, 2], clamp: false })(rgb()), [[[[0.4, 0.8]], [[1.2, 0.2]], [[0.6, 1]]]]);
  });

  it('contrast blends with the mean grey level of the image', () => {
    // Grey levels: 0.2989*0.2+0.587*0.6+0.114*0.3 = 0.44618 and 0.2989*0.4+0.587*0.1+0.114*0.5 = 0.23526; mean 0.34072.
    const m = 0.34072;
    const want = [0.2, 0.4, 0.6, 0.1, 0.3, 0.5].map((v) => (v - m) * 0.5 + m);
    assertClose(colorJitter({ contrast: [0.5, 0.5] })(rgb()).reshape([6]), want, { atol: 1e-6 });
    // One channel: the mean is the plain mean (0.5 here).
    assertClose(colorJitter({ contrast: [3, 3], clamp: false })(tg.tensor([[[[0.25, 0.75]]]])), [[[[-0.25, 1.25]]]]);
  });

  it('saturation blends each pixel with its own grey level (0 makes the image grey)', () => {
    assertClose(colorJitter({ saturation: [0, 0] })(rgb()), [[[[0.44618, 0.23526]], [[0.44618, 0.23526]], [[0.44618, 0.23526]]]], { atol: 1e-6 });
    const g = [0.44618, 0.23526];
    const want = [[0.2, 0.4], [0.6, 0.1], [0.3, 0.5]].map((ch) => ch.map((v, j) => (v - g[j]!) * 1.5 + g[j]!));
    assertClose(colorJitter({ saturation: [1.5, 1.5], clamp: false })(rgb()).reshape([3, 2]), want, { atol: 1e-6 });
    assertClose(colorJitter({ saturation: [0, 0] })(tg.tensor([[[[0.3]]]])), [[[[0.3]]]]); // grey images stay as they are
  });

  it('applies the adjustments in a random order per image', () => {
    // Brightness 2 then contrast 0: [0.5, 1 (clamped from 1.5)] -> its mean 0.75 everywhere.
    // Contrast 0 then brightness 2: [0.5, 0.5] -> 1 everywhere.
    const x = tg.tensor(Float32Array.from({ length: 80 }, (_, i) => (i % 2 ? 0.75 : 0.25)), { shape: [40, 1, 1, 2] });
    const d = Array.from(colorJitter({ brightness: [2, 2], contrast: [0, 0], generator: new tg.Generator(2) })(x).toTypedArray());
    const kinds = Array.from({ length: 40 }, (_, b) => {
      assert.equal(d[2 * b], d[2 * b + 1]);
      assert.ok(d[2 * b] === 0.75 || d[2 * b] === 1, `image ${b}: ${d[2 * b]}`);
      return d[2 * b];
    });
    assert.ok(kinds.includes(0.75) && kinds.includes(1), 'both orders occur');
  });

  it('draws one factor per image within the range, reproducibly for a seed', () => {
    const x = tg.full([50, 3, 2, 2], 0.25);
    const y = colorJitter({ brightness: 0.5, generator: new tg.Generator(11) })(x);
    const d = Array.from(y.toTypedArray());
    const factors = Array.from({ length: 50 }, (_, b) => {
      const img = d.slice(b * 12, b * 12 + 12);
      assert.ok(img.every((v) => Math.abs(v - img[0]!) < 1e-7), 'one factor per image');
      return img[0]! / 0.25;
    });
    assert.ok(factors.every((f) => f >= 0.5 - 1e-6 && f <= 1.5 + 1e-6));
    assert.ok(Math.min(...factors) < 0.7 && Math.max(...factors) > 1.3, 'factors spread over the range');
    assertClose(colorJitter({ brightness: 0.5, generator: new tg.Generator(11) })(x), y);
    assert.throws(() => colorJitter({ contrast: [2, 1] }), /contrast must be a non-negative number or a range \[lo, hi\] with 0 <= lo <= hi, got \[2,1\]/);
    assert.throws(() => colorJitter({ brightness: 0.2 })(tg.zeros([1, 2, 2, 2])), /colorJitter: expected 1 or 3 channels, got 2/);
  });
});

describe('compose', () => {
  it('applies transforms left to right', () => {
    const t = compose(randomHorizontalFlip(1), normalize(1, 2));
    assertClose(t(tg.tensor([[[[1, 3, 5]]]])), [[[[2, 1, 0]]]]);
  });
});
