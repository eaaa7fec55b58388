import { execFile } from 'node:child_process';

const MAIN = new URL('../../src/cli/main.js', import.meta.url).pathname;

/** Runs the tsgrad CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** The `defaults:` section of the tiny grids the sweep tests run (1 epoch on 200/100 images). */
export const TINY_GRID_DEFAULTS = `defaults:
  dataset: fashion-mnist
  subset-train: 200
  subset-test: 100
  epochs: 1
  early-stopping: none
  bs-train: 50
  bs-test: 100
  H: [16]
`;
