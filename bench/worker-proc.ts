/**
 * The parent's handle on one worker process: spawns it, sends protocol
 * commands and awaits replies, and freezes it (SIGSTOP) while other subjects
 * are timed, so that idle thread pools cannot steal cycles from them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MARK, type ParentCommand, type WorkerMessage } from './protocol.js';

/** How to start a subject's worker. */
export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** A running worker; every method rejects with a clear message if the process dies. */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly queue: WorkerMessage[] = [];
  private waiter: ((m: WorkerMessage) => void) | null = null;
  private stderrTail = '';
  private exited: string | null = null;
  private stopped = false;

  constructor(readonly name: string, launch: Launch, private readonly verbose: boolean) {
    this.child = spawn(launch.command, [...launch.args], { env: launch.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = createInterface({ input: this.child.stdout! });
    out.on('line', (line) => {
      if (line.startsWith(MARK)) this.deliver(JSON.parse(line.slice(MARK.length)) as WorkerMessage);
      else if (this.verbose && line.trim()) process.stderr.write(`  [${name} stdout] ${line}\n`);
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2000);
      if (this.verbose) process.stderr.write(`  [${name} stderr] ${d.toString()}`);
    });
    this.child.on('error', (e) => this.die(`could not start ${launch.command}: ${e.message}`));
    this.child.on('exit', (code, signal) => this.die(`exited with ${signal ?? `code ${code}`}`));
  }

  private deliver(m: WorkerMessage): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(m);
    } else this.queue.push(m);
  }

  private die(why: string): void {
    if (this.exited !== null) return;
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    this.exited = `${this.name} worker ${why}${tail ? `: ${tail}` : ''}`;
    this.deliver({ type: 'error', message: this.exited });
  }

  /** The next message from the worker (rejects after `timeoutS` seconds). */
  next(timeoutS: number): Promise<WorkerMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exited !== null) return Promise.resolve({ type: 'error', message: this.exited });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ type: 'error', message: `${this.name} worker sent no reply within ${timeoutS} s` });
      }, timeoutS * 1000);
      this.waiter = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  }

  /** Resumes the worker, sends a command and awaits its reply; the worker is frozen again afterwards. */
  async request(cmd: ParentCommand, timeoutS: number): Promise<WorkerMessage> {
    if (this.exited !== null) return { type: 'error', message: this.exited };
    this.resume();
    this.child.stdin!.write(JSON.stringify(cmd) + '\n');
    const reply = await this.next(timeoutS);
    if (cmd.cmd !== 'exit') this.freeze();
    return reply;
  }

  /** SIGSTOP: the worker and all its threads sleep until resumed. */
  freeze(): void {
    if (this.exited === null && !this.stopped && this.signal('SIGSTOP')) this.stopped = true;
  }

  private resume(): void {
    if (this.stopped && this.signal('SIGCONT')) this.stopped = false;
  }

  /** Sends a signal; false when the process is already gone (its exit event may still be queued). */
  private signal(sig: NodeJS.Signals): boolean {
    try {
      return this.child.pid !== undefined && process.kill(this.child.pid, sig);
    } catch {
      return false;
    }
  }

  /** Ends the worker for good (SIGKILL after resuming), without waiting for a reply. */
  kill(): void {
    if (this.exited !== null) return;
    this.resume();
    this.child.kill('SIGKILL');
  }

  /** Resolves when the process has exited. */
  closed(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}
