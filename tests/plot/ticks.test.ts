// The epoch axis: whole epochs get integer ticks only (a 2-epoch run once showed a tick at 1.5
// labelled "2"); fractional epochs keep their decimals. plot-exp's default file name spells '*'.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { epochAxis } from '../../src/plot/ticks.js';
import { plotRuns } from '../../src/plot/runs.js';
import { plotCurves } from '../../src/plot/curves.js';
import { defaultPlotBase } from '../../src/experiments/plot.js';

/** The text of every label in an SVG, in drawing order. */
const labels = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('epoch axis ticks', () => {
  it('whole epochs: integer tick values, at most about ten', () => {
    assert.deepEqual(epochAxis([1, 2]).values, [1, 2]);
    assert.deepEqual(epochAxis([1, 2, 3, 4, 5]).values, [1, 2, 3, 4, 5]);
    assert.deepEqual(epochAxis([1, 30]).values, [5, 10, 15, 20, 25, 30]);
    assert.deepEqual(epochAxis([0, 200]).values, [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    assert.deepEqual(epochAxis([3]).values, [3]);
    assert.equal(epochAxis([0.5, 1]).values, undefined);
    assert.equal(epochAxis([0.5, 1]).format, '~g');
  });

  it('a 2-epoch run is labelled 1 and 2 only; a run with half epochs shows the halves', async () => {
    const two = await plotRuns([{ name: 'a', epoch: [1, 2], trainLoss: [1, 0.5], testLoss: [1.1, 0.6] }], 'loss');
    const l = labels(two.svg);
    assert.deepEqual(l.slice(0, l.indexOf('epoch')), ['1', '2']);
    const halves = await plotRuns([{ name: 'a', epoch: [0.5, 1, 1.5, 2], trainLoss: [1, 0.5, 0.4, 0.3] }], 'loss');
    const h = labels(halves.svg);
    const ticks = h.slice(0, h.indexOf('epoch'));
    assert.ok(ticks.includes('1.2') || ticks.includes('1.5'), ticks.join(' '));
    // No two ticks print the same text (what rounding to integers did).
    assert.equal(new Set(ticks).size, ticks.length, ticks.join(' '));
    const steps = await plotCurves([{ name: 's', x: [1, 2], y: [3, 4] }], { title: 't', xLabel: 'step', yLabel: 'y' });
    const s = labels(steps.svg);
    assert.deepEqual(s.slice(0, s.indexOf('step')), ['1', '2']);
  });
});

describe('plot-exp default file names', () => {
  it("spells '*' as 'all', set off by '_' from letters and digits", () => {
    assert.equal(defaultPlotBase('/r', 'exp_a*'), join('/r', 'plots', 'exp_a_all'));
    assert.equal(defaultPlotBase('/r', 'exp1_1_*'), join('/r', 'plots', 'exp1_1_all'));
    assert.equal(defaultPlotBase('/r', '*'), join('/r', 'plots', 'all'));
    assert.equal(defaultPlotBase('/r', 'exp*lr'), join('/r', 'plots', 'exp_all_lr'));
    assert.equal(defaultPlotBase('/r', 'exp_?'), join('/r', 'plots', 'exp_x'));
  });
});
