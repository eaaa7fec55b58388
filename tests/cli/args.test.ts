import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flag, flagsHelp, parseFlags } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/command.js';

const SPECS = {
  lr: flag.number('learning rate', { min: 0, exclusiveMin: true }),
  epochs: flag.integer('epochs', { default: 5, min: 1 }),
  model: flag.choice('model', ['mlp', 'cnn'] as const, { default: 'mlp' }),
  out: flag.string('output folder', { default: 'run', valueName: 'DIR' }),
  augment: flag.boolean('augment'),
  quiet: flag.boolean('quiet', { short: 'q' }),
};

const usage = (fn: () => unknown, re: RegExp): void => assert.throws(fn, (e: Error) => e instanceof UsageError && re.test(e.message), `expected UsageError matching ${re}`);

test('parseFlags: typed values with defaults filled in', () => {
  const { values, positionals } = parseFlags('tsgrad t', ['--lr', '0.05', '--model=cnn', '--augment', '-q'], SPECS);
  assert.deepEqual(values, { lr: 0.05, epochs: 5, model: 'cnn', out: 'run', augment: true, quiet: true });
  assert.deepEqual(positionals, []);
  const d = parseFlags('tsgrad t', [], SPECS).values;
  assert.equal(d.lr, undefined);
  assert.equal(d.augment, false);
  assert.equal(parseFlags('tsgrad t', ['--epochs', '12'], SPECS).values.epochs, 12);
  assert.equal(parseFlags('tsgrad t', ['--lr', '1e-3'], SPECS).values.lr, 0.001);
});

test('parseFlags: unknown flags are named, with a suggestion when one is close', () => {
  usage(() => parseFlags('tsgrad t', ['--epoch', '3'], SPECS), /^t: unknown flag --epoch \(did you mean --epochs\?\); see tsgrad t --help$/);
  usage(() => parseFlags('tsgrad t', ['--banana'], SPECS), /^t: unknown flag --banana; see tsgrad t --help$/);
  usage(() => parseFlags('tsgrad t', ['-x'], SPECS), /unknown flag -x/);
});

test('parseFlags: bad values name the flag, the value and what was expected', () => {
  usage(() => parseFlags('tsgrad t', ['--lr', 'abc'], SPECS), /^t: --lr must be a number, got "abc"$/);
  usage(() => parseFlags('tsgrad t', ['--lr', '0'], SPECS), /--lr must be > 0, got "0"/);
  usage(() => parseFlags('tsgrad t', ['--lr=-1'], SPECS), /--lr must be > 0, got "-1"/);
  usage(() => parseFlags('tsgrad t', ['--lr', '-1'], SPECS), /--lr is followed by "-1", which looks like a flag; write --lr=-1/);
  usage(() => parseFlags('tsgrad t', ['--lr', 'Infinity'], SPECS), /--lr must be a number, got "Infinity"/);
  usage(() => parseFlags('tsgrad t', ['--epochs', '2.5'], SPECS), /--epochs must be a whole number, got "2.5"/);
  usage(() => parseFlags('tsgrad t', ['--epochs', '0'], SPECS), /--epochs must be >= 1, got "0"/);
  usage(() => parseFlags('tsgrad t', ['--epochs', ''], SPECS), /--epochs must be a whole number, got ""/);
  usage(() => parseFlags('tsgrad t', ['--model', 'resnet'], SPECS), /--model must be one of mlp, cnn, got "resnet"/);
  usage(() => parseFlags('tsgrad t', ['--out', ''], SPECS), /--out needs a non-empty value/);
  usage(() => parseFlags('tsgrad t', ['--lr'], SPECS), /^t: --lr needs a value$/);
  usage(() => parseFlags('tsgrad t', ['--augment=yes'], SPECS), /--augment is a switch and takes no value/);
});

test('parseFlags: positionals are refused unless allowed, and counted when allowed', () => {
  usage(() => parseFlags('tsgrad t', ['stray'], SPECS), /unexpected argument "stray"/);
  const { positionals } = parseFlags('tsgrad c', ['a.png', '--augment', 'b.png'], SPECS, { positionals: { min: 1, name: 'images' } });
  assert.deepEqual(positionals, ['a.png', 'b.png']);
  usage(() => parseFlags('tsgrad c', [], SPECS, { positionals: { min: 1, name: 'PNG image(s)' } }), /expected at least 1 PNG image\(s\), got 0/);
});

test('flagsHelp: one line per flag with value names and defaults', () => {
  const help = flagsHelp(SPECS);
  assert.match(help, /--lr X {2,}learning rate\n/);
  assert.match(help, /--epochs N +epochs \(default 5\)/);
  assert.match(help, /--model mlp\|cnn +model \(default mlp\)/);
  assert.match(help, /--out DIR +output folder \(default run\)/);
  assert.match(help, /-q, --quiet +quiet$/);
  assert.equal(help.split('\n').length, 6);
});
