// Fault tests of checkpoints (issue 17, findings 1, 2 and 6): binary optimizer state, sets committed
// by one manifest, fallback from a damaged checkpoint, leftovers of killed runs removed, and kill -9
// at random moments of a CLI run followed by --resume ending bit-exactly like an uninterrupted run.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tg from '../../src/index.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { Sequential } from '../../src/nn/layers/container.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { ReLU } from '../../src/nn/layers/activation.js';
import { CrossEntropyLoss } from '../../src/nn/layers/loss.js';
import { Adam } from '../../src/optim/adam.js';
import { cleanCheckpointDir, CheckpointError, loadCheckpoint } from '../../src/train/checkpoint.js';
import { Trainer } from '../../src/train/trainer.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

function setup(seed: number, hidden = 16, inF = 6, relu = true): { trainer: Trainer; train: DataLoader<[tg.Tensor, tg.Tensor]> } {
  tg.manualSeed(seed);
  const g = new tg.Generator(3);
  const x = tg.randn([32, 1, 1, inF], { generator: g });
  const y = tg.randint(0, 3, [32], { generator: g, dtype: 'int32' });
  const model = relu ? new Sequential(new Flatten(), new Linear(inF, hidden), new ReLU(), new Linear(hidden, 3)) : new Sequential(new Flatten(), new Linear(inF, hidden), new Linear(hidden, 3));
  const train = new DataLoader(new TensorDataset(x, y), { batchSize: 8, shuffle: true, generator: new tg.Generator(seed + 1) }) as unknown as DataLoader<[tg.Tensor, tg.Tensor]>;
  return { trainer: new Trainer({ model, lossFn: new CrossEntropyLoss(), optimizer: new Adam(model.parameters(), { lr: 0.01 }) }), train };
}

/** Raw bytes of every weight (compared with Buffer.equals: deepEqual of 12M numbers takes minutes). */
function weightsOf(t: Trainer): Buffer[] {
  return [...t.model.stateDict().values()].map((w) => bytesOf(w));
}

function bytesOf(t: tg.Tensor): Buffer {
  const a = t.toTypedArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function sameBytes(a: Buffer[], b: Buffer[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, i) => assert.ok(x.equals(b[i]!), `${what} ${i} differs`));
}

function manifest(dir: string, name: string): { weights: { file: string }; state: { file: string } } {
  return JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { weights: { file: string }; state: { file: string } };
}

test('checkpoint: optimizer state is binary (size ≈ weights × (1 + Adam\'s 2 slots)), and the JSON holds only scalars', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckf-'));
  try {
    const s = setup(1, 256, 64);
    s.trainer.fit(s.train, null, { epochs: 1, checkpointDir: dir });
    const m = manifest(dir, 'last');
    const wBytes = statSync(join(dir, m.weights.file)).size;
    const sBytes = statSync(join(dir, m.state.file)).size;
    const jBytes = statSync(join(dir, 'last.json')).size;
    const params = s.trainer.model.numParameters();
    assert.ok(wBytes >= params * 4 && wBytes < params * 4 + 4096, `weights ${wBytes} B for ${params} params`);
    assert.ok(sBytes >= 2 * params * 4 && sBytes < 2 * params * 4 + 4096, `state ${sBytes} B`);
    assert.ok(jBytes < 8000, `manifest ${jBytes} B: scalars only`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint: a model over 16M parameters with Adam saves and resumes (finding 1)', () => {
  // 150 MB of checkpoint: in memory-backed /dev/shm where there is one (this tests sizes, not disks).
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'tsgrad-ckbig-'));
  try {
    // 4000 -> 4096 -> 3 without ReLU (every gradient nonzero): 16.4M parameters. Its Adam state as
    // JSON text (2 x 16.4M doubles of ~20 characters) exceeded V8's 2^29-character string limit.
    const s = setup(2, 4096, 4000, false);
    assert.ok(s.trainer.model.numParameters() > 16_000_000);
    const x = tg.randn([8, 1, 1, 4000]);
    const y = tg.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' });
    s.trainer.trainBatch(x, y);
    s.trainer.saveCheckpoint(dir, 'last');
    const want = weightsOf(s.trainer);
    const wantState = (s.trainer.optimizer as Adam).stateDict();
    const other = setup(3, 4096, 4000, false);
    other.trainer.resume(dir);
    assert.equal(other.trainer.step, 1);
    sameBytes(weightsOf(other.trainer), want, 'weight');
    const gotState = (other.trainer.optimizer as Adam).stateDict();
    for (const [k, st] of Object.entries(wantState.state)) {
      for (const [name, v] of Object.entries(st)) {
        const g = gotState.state[Number(k)]![name]!;
        if (v instanceof tg.Tensor) sameBytes([bytesOf(g as tg.Tensor)], [bytesOf(v)], `${k}.${name}`);
        else assert.equal(g, v);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint: a kill mid-save leaves the previous checkpoint complete; leftovers are removed at the next start (findings 2, 6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckkill-'));
  try {
    const s = setup(4);
    s.trainer.fit(s.train, null, { epochs: 2, checkpointDir: dir });
    const before = readdirSync(dir).sort();
    // What a kill during the next save leaves: the new set's files (no manifest renamed yet) and temporaries.
    writeFileSync(join(dir, 'last-zzz-999999.weights.safetensors'), 'partial');
    writeFileSync(join(dir, 'last-zzz-999999.state.safetensors.tmp-999999-1-0'), 'partial');
    writeFileSync(join(dir, 'last.json.tmp-999999-1-1'), '{"format":');
    const r = setup(5);
    assert.equal(r.trainer.resume(dir, r.train).name, 'last');
    assert.equal(r.trainer.epoch, 2);
    const removed = cleanCheckpointDir(dir).sort();
    assert.deepEqual(removed, ['last-zzz-999999.state.safetensors.tmp-999999-1-0', 'last-zzz-999999.weights.safetensors', 'last.json.tmp-999999-1-1'].sort());
    assert.deepEqual(readdirSync(dir).sort(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint: a damaged newest checkpoint is skipped for the next complete one, and the resume says so (finding 2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckdmg-'));
  try {
    const s = setup(6);
    // Adam at lr 0.01 keeps improving the train loss: best is saved at every epoch end, like last.
    s.trainer.fit(s.train, null, { epochs: 3, checkpointDir: dir, monitor: 'trainLoss' });
    const m = manifest(dir, 'last');
    const bytes = readFileSync(join(dir, m.state.file));
    bytes[bytes.length - 5] ^= 0x10;
    writeFileSync(join(dir, m.state.file), bytes);
    assert.throws(() => loadCheckpoint(dir, 'last'), (e: Error) => e instanceof CheckpointError && /sha256 differs/.test(e.message));
    const r = setup(7);
    const got = r.trainer.resume(dir, r.train);
    assert.equal(got.name, 'best');
    assert.equal(got.skipped.length, 1);
    assert.match(got.skipped[0]!.error, /last.*sha256 differs|sha256 differs.*last/);
    // Both damaged: one error naming each.
    rmSync(join(dir, manifest(dir, 'best').weights.file));
    assert.throws(() => setup(8).trainer.resume(dir), (e: Error) => e instanceof CheckpointError && /no complete checkpoint/.test(e.message) && /last: /.test(e.message) && /best: .*does not exist/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkpoint reader fuzz: truncations and bit flips of every file give a CheckpointError or SafetensorsError, never a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckfuzz-'));
  try {
    const s = setup(9);
    s.trainer.fit(s.train, null, { epochs: 1, checkpointDir: dir });
    const m = manifest(dir, 'last');
    const files = ['last.json', m.weights.file, m.state.file];
    const orig = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    let cases = 0;
    for (const f of files) {
      const o = orig.get(f)!;
      for (let i = 0; i < 40; i++) {
        const b = Buffer.from(o);
        const mutated = i % 2 === 0 ? b.subarray(0, rand(b.length)) : (b[rand(b.length)] ^= 1 << rand(8), b);
        writeFileSync(join(dir, f), mutated);
        try {
          loadCheckpoint(dir, 'last');
          // A flip inside JSON whitespace or a string the loader ignores may leave a valid checkpoint.
          assert.equal(f, 'last.json', `a damaged ${f} was accepted`);
        } catch (e) {
          assert.ok((e as Error).name === 'CheckpointError' || (e as Error).name === 'SafetensorsError', `${f} case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        }
        cases++;
      }
      writeFileSync(join(dir, f), o);
    }
    console.log(`checkpoint reader fuzz: ${cases} damaged files, each a clean error`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function runCli(args: string[], env: NodeJS.ProcessEnv): { code: number; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

/** Starts a CLI run and kills it with SIGKILL after `ms` (if still running); resolves when it ended. */
function runAndKill(args: string[], env: NodeJS.ProcessEnv, ms: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
  });
}

test('kill -9 at random moments of a training run, then --resume, ends with the same weights and history as an uninterrupted run', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-kill-'));
  try {
    const env = { ...process.env, TSGRAD_DATA: join(tmp, 'no-data') };
    const args = ['train', '--limit-train', '400', '--limit-test', '100', '--batch-size', '25', '--hidden', '64', '--epochs', '6', '--dropout', '0.2', '--quiet'];
    const ref = join(tmp, 'ref');
    const t0 = Date.now();
    const r = runCli([...args, '--out', ref], env);
    assert.equal(r.code, 0, r.stderr);
    const fullMs = Date.now() - t0;
    const out = join(tmp, 'killed');
    let seed = 2024;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let kills = 0;
    let attempts = 0;
    while (!existsSync(join(out, 'results.json'))) {
      attempts++;
      assert.ok(attempts < 20, 'the run never finished');
      const resume = existsSync(join(out, 'config.json')) ? ['--resume'] : [];
      // Kill somewhere in the run until 3 kills landed, then let it finish.
      if (kills < 3) {
        const res = await runAndKill([...args, '--out', out, ...resume], env, Math.round(300 + rand() * 0.9 * fullMs));
        if (res.killed) kills++;
        else assert.equal(res.code, 0);
      } else {
        const res = runCli([...args, '--out', out, ...resume], env);
        assert.equal(res.code, 0, res.stderr);
      }
    }
    assert.ok(kills >= 1, 'at least one run was killed');
    assert.deepEqual(readFileSync(join(out, 'model.safetensors')), readFileSync(join(ref, 'model.safetensors')), 'final weights bit-exact');
    const hist = (d: string): unknown => {
      const { wallTimeS: _w, ...rest } = (JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as { result: { wallTimeS: number } }).result;
      return rest;
    };
    assert.deepEqual(hist(out), hist(ref));
    const left = [...readdirSync(out), ...readdirSync(join(out, 'checkpoints'))].filter((n) => /\.tmp-/.test(n));
    const ck = readdirSync(join(out, 'checkpoints'));
    // Leftovers of the last kill are removed at the next start; the finishing run's own are none.
    assert.deepEqual(left, []);
    assert.equal(ck.length, 6, ck.join(' '));
    console.log(`kill -9 fault test: ${kills} kills over ${attempts} starts (uninterrupted run ${fullMs} ms), final weights identical`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
