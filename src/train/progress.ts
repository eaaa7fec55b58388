import cliProgress from 'cli-progress';

/** Live numbers shown beside a progress bar (loss, accuracy, ...). */
export type ProgressInfo = Record<string, number>;

/**
 * Receives a training loop's progress. The Trainer calls start() before each phase (one epoch's
 * training or evaluation), tick() after each batch, end() after the phase, and log() for lines
 * that must not be torn by a live bar.
 */
export interface ProgressReporter {
  start(label: string, total: number): void;
  tick(done: number, info?: ProgressInfo): void;
  end(summary?: string): void;
  log(line: string): void;
}

/** How progress is shown: a live bar, plain occasional lines, or nothing. */
export type ProgressMode = 'bar' | 'lines' | 'off';

/** Where progress text goes: process.stderr fits (typed structurally, so users need no @types/node). */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Options of createProgress. */
export interface ProgressOptions {
  /** Default 'auto': a bar when the stream is a TTY, plain lines otherwise. */
  mode?: ProgressMode | 'auto';
  /** Where progress goes (default process.stderr, so stdout stays clean for results). */
  stream?: TextStream;
  /** In 'lines' mode, the shortest time between two mid-phase lines (default 30 s). */
  lineIntervalS?: number;
}

/** Formats live numbers compactly: loss 0.4321 acc 87.50%. */
export function formatInfo(info: ProgressInfo | undefined): string {
  if (!info) return '';
  return Object.entries(info)
    .map(([k, v]) => (/acc/i.test(k) && v >= 0 && v <= 1 ? `${k} ${(100 * v).toFixed(2)}%` : `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`))
    .join(' ');
}

/** Progress that shows nothing. */
export const silentProgress: ProgressReporter = { start() {}, tick() {}, end() {}, log() {} };

/** A live bar on a TTY (cli-progress): label, bar, count, ETA and the live numbers. */
class BarProgress implements ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;
  constructor(private readonly stream: TextStream) {}

  start(label: string, total: number): void {
    this.end();
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream as NodeJS.WritableStream,
        format: '{label} [{bar}] {value}/{total} | {duration_formatted} < {eta_formatted} | {info}',
        barsize: 24,
        hideCursor: null,
        clearOnComplete: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { label, info: '' });
  }

  tick(done: number, info?: ProgressInfo): void {
    this.bar?.update(done, { info: formatInfo(info) });
  }

  end(summary?: string): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
    if (summary) this.stream.write(`${summary}\n`);
  }

  log(line: string): void {
    // Writing over a live bar would tear it: the bar redraws itself on the next tick.
    if (this.bar) this.stream.write(`\r\x1b[K${line}\n`);
    else this.stream.write(`${line}\n`);
  }
}

/** Plain lines for logs and pipes: one per phase summary, and one every lineIntervalS within long phases. */
class LineProgress implements ProgressReporter {
  private label = '';
  private total = 0;
  private lastLine = 0;
  constructor(
    private readonly stream: TextStream,
    private readonly intervalMs: number,
  ) {}

  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.lastLine = Date.now();
  }

  tick(done: number, info?: ProgressInfo): void {
    const now = Date.now();
    if (now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    this.stream.write(`${this.label} ${done}/${this.total} ${formatInfo(info)}\n`.replace(/ \n$/, '\n'));
  }

  end(summary?: string): void {
    if (summary) this.stream.write(`${summary}\n`);
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }
}

/** A progress reporter for the given stream: a cli-progress bar on a TTY, plain lines otherwise. */
export function createProgress(opts: ProgressOptions = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const mode = opts.mode ?? 'auto';
  if (mode === 'off') return silentProgress;
  if (mode === 'bar' || (mode === 'auto' && stream.isTTY === true)) return new BarProgress(stream);
  if (mode === 'lines' || mode === 'auto') return new LineProgress(stream, (opts.lineIntervalS ?? 30) * 1000);
  throw new TypeError(`createProgress: mode must be 'auto', 'bar', 'lines' or 'off', got ${JSON.stringify(mode)}`);
}
