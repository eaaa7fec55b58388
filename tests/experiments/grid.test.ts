import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configToArgs, expandChannels, expandGrid, loadGrid, parseRunExpArgs, runName, completeConfig } from '../../src/experiments/index.js';
import { buildModel } from '../../src/experiments/model.js';
import { REPO_ROOT } from '../helpers.js';

describe('run names and channels', () => {
  it('names runs NAME_L{L}_K{K1}-{K2}', () => {
    assert.equal(runName({ name: 'exp1_1', L: 2, K: [32] }), 'exp1_1_L2_K32');
    assert.equal(runName({ name: 'exp1_3', L: 4, K: [64, 128, 256] }), 'exp1_3_L4_K64-128-256');
  });
  it('repeats each K entry L times', () => {
    assert.deepEqual(expandChannels([32, 64], 2), [32, 32, 64, 64]);
    assert.deepEqual(expandChannels([64, 128, 256], 1), [64, 128, 256]);
  });
});

describe('run-exp flags', () => {
  it('parses multi-valued -K/-H, switches and none', () => {
    const { config, out } = parseRunExpArgs(['-n', 'e', '-K', '32', '64', '-L', '3', '-P', '2', '-H', '100', '50', '--model', 'resnet', '--batchnorm', '--early-stopping', 'none', '--lr=0.01', '--out', '/tmp/x']);
    assert.deepEqual([config.K, config.L, config.P, config.H, config.model, config.batchnorm, config.earlyStopping, config.lr, out], [[32, 64], 3, 2, [100, 50], 'resnet', true, null, 0.01, '/tmp/x']);
    assert.deepEqual(parseRunExpArgs(['-n', 'e', '-H', 'none']).config.H, []);
  });
  it('configToArgs round-trips every field', () => {
    const cfg = completeConfig({ name: 'rt', K: [8, 16], L: 3, H: [], earlyStopping: null, subsetTrain: 200, dropout: 0.25, pad32: true, optimizer: 'sgd' }, 'test');
    assert.deepEqual(parseRunExpArgs(configToArgs(cfg)).config, cfg);
  });
  it('rejects bad input with the flag named', () => {
    assert.throws(() => parseRunExpArgs(['-K', '32']), /-n NAME is required/);
    assert.throws(() => parseRunExpArgs(['-n', 'a', '-K', 'x']), /-K expects a number, got "x"/);
    assert.throws(() => parseRunExpArgs(['-n', 'a', '--model', 'vgg']), /model must be one of cnn\|resnet\|convnet\|custom/);
    assert.throws(() => parseRunExpArgs(['-n', 'a', '--bogus', '1']), /unknown flag --bogus/);
    assert.throws(() => parseRunExpArgs(['-n', 'a', '-L', '0']), /L must be an integer >= 1, got 0/);
  });
});

describe('grid expansion', () => {
  it('sweeps list fields as a cartesian product; K only as a list of lists', () => {
    const runs = expandGrid({ defaults: { epochs: 2, 'bs-train': 64 }, experiments: [{ name: 'a', K: [[32], [64]], L: [2, 4] }, { name: 'b', K: [64, 128], L: 1, lr: 0.1 }] });
    assert.deepEqual(
      runs.map((r) => r.runName),
      ['a_L2_K32', 'a_L4_K32', 'a_L2_K64', 'a_L4_K64', 'b_L1_K64-128'],
    );
    assert.deepEqual(runs.map((r) => r.index), [0, 1, 2, 3, 4]);
    assert.equal(runs[0]!.config.epochs, 2);
    assert.equal(runs[0]!.config.bsTrain, 64);
    assert.equal(runs[4]!.config.lr, 0.1);
  });
  it('refuses duplicate run names, unknown fields and empty sweeps', () => {
    assert.throws(() => expandGrid({ experiments: [{ name: 'a', L: 2, lr: [0.1, 0.01] }] }), /run a_L2_K32 appears twice/);
    assert.throws(() => expandGrid({ experiments: [{ name: 'a', depth: 2 }] }), /unknown field "depth"/);
    assert.throws(() => expandGrid({ experiments: [{ name: 'a', L: [] }] }), /L sweeps over an empty list/);
    assert.throws(() => expandGrid({ runs: [] }), /expected an object with an "experiments" list/);
  });
  it('reads JSON and YAML files alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgrad-grid-'));
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ experiments: [{ name: 'j', K: [[8], [16]], L: 1 }] }));
    writeFileSync(join(dir, 'g.yml'), 'experiments:\n  - { name: j, K: [[8], [16]], L: 1 }\n');
    assert.deepEqual(loadGrid(join(dir, 'g.json')), loadGrid(join(dir, 'g.yml')));
    writeFileSync(join(dir, 'bad.yaml'), 'experiments: [\n');
    assert.throws(() => loadGrid(join(dir, 'bad.yaml')), /bad\.yaml is not valid YAML/);
  });
  it('examples/grids/classic.yaml holds the classic study, and every model builds', () => {
    const runs = loadGrid(`${REPO_ROOT}examples/grids/classic.yaml`);
    const by = (prefix: string): string[] => runs.filter((r) => r.runName.startsWith(prefix)).map((r) => r.runName).sort();
    // 1.1: L in {2,4,8,16} x K in {[32],[64]}
    assert.deepEqual(by('exp1_1_'), ['exp1_1_L16_K32', 'exp1_1_L16_K64', 'exp1_1_L2_K32', 'exp1_1_L2_K64', 'exp1_1_L4_K32', 'exp1_1_L4_K64', 'exp1_1_L8_K32', 'exp1_1_L8_K64']);
    assert.equal(by('exp1_2_').length, 12);
    assert.deepEqual(by('exp1_3_'), ['exp1_3_L1_K64-128-256', 'exp1_3_L2_K64-128-256', 'exp1_3_L3_K64-128-256', 'exp1_3_L4_K64-128-256']);
    assert.deepEqual(by('exp1_4_'), ['exp1_4_L16_K32', 'exp1_4_L2_K64-128-256', 'exp1_4_L32_K32', 'exp1_4_L4_K64-128-256', 'exp1_4_L8_K32', 'exp1_4_L8_K64-128-256']);
    assert.ok(runs.filter((r) => r.runName.startsWith('exp1_4_')).every((r) => r.config.model === 'resnet'));
    assert.deepEqual(by('exp2_'), ['exp2_L12_K32-64-128', 'exp2_L3_K32-64-128', 'exp2_L6_K32-64-128', 'exp2_L9_K32-64-128']);
    assert.equal(runs.length, 34);
    // No configuration pools a 28×28 input away (buildModel throws if one did).
    for (const r of runs) assert.ok(buildModel(r.config, [1, 28, 28], 10).numParameters() > 0, r.runName);
  });
});
