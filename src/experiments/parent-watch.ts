import { Worker } from 'node:worker_threads';

// Runs in a worker thread because training is synchronous: a timer on the main thread would not
// fire until the run ended. When the parent is gone (this process was re-parented), the worker
// kills its own process at once.
const WATCHER = `
const { workerData } = require('node:worker_threads');
const check = () => {
  if (process.ppid !== workerData.parent) process.kill(workerData.pid, 'SIGKILL');
};
check();
setInterval(check, workerData.intervalMs);
`;

/**
 * Makes this process die soon after its parent `parent` does (a sweep killed with SIGKILL must not
 * leave its runs going, which a rerun would then duplicate); dies at once if the parent is already
 * gone. Resolves once the watcher runs; it does not keep the process alive.
 */
export async function dieWithParent(parent: number, intervalMs = 250): Promise<void> {
  const w = new Worker(WATCHER, { eval: true, workerData: { pid: process.pid, parent, intervalMs } });
  await new Promise<void>((resolve, reject) => {
    w.once('online', () => resolve());
    w.once('error', reject);
  });
  w.unref();
}
