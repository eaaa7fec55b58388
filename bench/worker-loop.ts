/**
 * The worker side of bench/protocol.ts for Node subjects: reads commands from
 * stdin, builds the workload through the subject's `setup`, times steps and
 * reports peak resident memory when told to exit.
 */
import { createInterface } from 'node:readline';
import { MARK, type ParentCommand, type WorkerMessage } from './protocol.js';
import type { WorkloadSpec } from './spec.js';

/** What a subject must provide: a setup that returns the step function, or a reason it cannot run. */
export interface Subject {
  /** Called after imports and again after setup; the returned info goes into the results. */
  info(): Record<string, string | number | boolean>;
  /** Builds model, data and optimizer for the spec; returns one step, or a string saying why this subject cannot run it. */
  setup(spec: WorkloadSpec, threads: number, seed: number): Promise<(() => void) | string>;
}

/** Writes one protocol message to stdout. */
export function send(msg: WorkerMessage): void {
  process.stdout.write(MARK + JSON.stringify(msg) + '\n');
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs the protocol loop until the parent says exit (or closes stdin). */
export async function serve(subject: Subject): Promise<void> {
  let step: (() => void) | null = null;
  send({ type: 'ready', baseRssKiB: Math.round(process.memoryUsage().rss / 1024), info: subject.info() });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line) as ParentCommand;
    try {
      if (cmd.cmd === 'setup') {
        const r = await subject.setup(cmd.spec, cmd.threads, cmd.seed);
        if (typeof r === 'string') send({ type: 'setup', ok: false, na: r });
        else {
          step = r;
          send({ type: 'setup', ok: true, info: subject.info() });
        }
      } else if (cmd.cmd === 'run') {
        if (!step) throw new Error('run before a successful setup');
        const times: number[] = [];
        for (let i = 0; i < cmd.steps; i++) {
          const t0 = performance.now();
          step();
          times.push((performance.now() - t0) / 1000);
        }
        send({ type: 'run', times });
      } else {
        send({ type: 'exit', maxRssKiB: process.resourceUsage().maxRSS });
        break;
      }
    } catch (e) {
      send({ type: 'error', message: errorText(e) });
    }
  }
  lines.close();
  process.exit(0);
}
