/**
 * Turns cell results into the printed tables (figures, ratios, peak memory,
 * footnotes for every cell that did not run) and the JSON report.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fmtFigure, type CellResult } from './measure.js';
import type { WorkloadSpec } from './spec.js';

/** The whole run, as written to JSON. */
export interface BenchReport {
  readonly meta: Record<string, unknown>;
  readonly subjects: readonly string[];
  readonly workloads: readonly WorkloadSpec[];
  readonly cells: readonly CellResult[];
  /** ratios[workload]['tsgrad-x/peer'] = tsgrad figure / peer figure (higher is better for tsgrad). */
  readonly ratios: Record<string, Record<string, number>>;
}

/** Figure ratios of each tsgrad subject over each peer, per workload. */
export function computeRatios(cells: readonly CellResult[], subjects: readonly string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const byKey = new Map(cells.map((c) => [`${c.workload}|${c.subject}`, c]));
  for (const wl of new Set(cells.map((c) => c.workload))) {
    const row: Record<string, number> = {};
    for (const t of subjects.filter((s) => s.startsWith('tsgrad-'))) {
      for (const p of subjects.filter((s) => !s.startsWith('tsgrad-'))) {
        const a = byKey.get(`${wl}|${t}`);
        const b = byKey.get(`${wl}|${p}`);
        if (a?.value && b?.value) row[`${t}/${p}`] = a.value / b.value;
      }
    }
    out[wl] = row;
  }
  return out;
}

/** The tsgrad subject whose ratios the table shows: the first non-reference backend, else ref. */
export function primaryTsgrad(subjects: readonly string[]): string | null {
  const ts = subjects.filter((s) => s.startsWith('tsgrad-'));
  return ts.find((s) => s !== 'tsgrad-ref') ?? ts[0] ?? null;
}

function renderTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Footnote numbering for cells that did not run. */
class Notes {
  private readonly list: string[] = [];
  mark(c: CellResult): string {
    const label = c.status === 'skipped' ? 'skip' : c.status;
    let i = this.list.indexOf(c.note ?? c.status);
    if (i < 0) i = this.list.push(c.note ?? c.status) - 1;
    return `${label}[${i + 1}]`;
  }
  render(): string {
    return this.list.map((n, i) => `[${i + 1}] ${n}`).join('\n');
  }
}

const ratio = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(2)}×`);

/** The printed report: figures with ratios, then peak memory, then footnotes. */
export function renderReport(report: BenchReport): string {
  const { subjects, workloads, cells } = report;
  const cell = (wl: string, s: string): CellResult | undefined => cells.find((c) => c.workload === wl && c.subject === s);
  const primary = primaryTsgrad(subjects);
  const peers = subjects.filter((s) => !s.startsWith('tsgrad-'));
  const notes = new Notes();
  const short = (s: string): string => s.replace(/^tsgrad-/, '');
  const ratioHeads = primary ? peers.map((p) => `${short(primary)}/${p}`) : [];

  const figRows = workloads.map((w) => [
    w.id,
    w.metric,
    ...subjects.map((s) => {
      const c = cell(w.id, s);
      if (!c) return '-';
      return c.status === 'ok' ? fmtFigure(c.value!) : notes.mark(c);
    }),
    ...(primary ? peers.map((p) => ratio(report.ratios[w.id]?.[`${primary}/${p}`])) : []),
  ]);
  const memRows = workloads.map((w) => {
    const peak = (s: string): number | undefined => {
      const c = cell(w.id, s);
      return c?.status === 'ok' ? c.peakRssMiB : undefined;
    };
    const torchPeak = peak('torch');
    const mine = primary ? peak(primary) : undefined;
    return [
      w.id,
      'MiB',
      ...subjects.map((s) => (peak(s) === undefined ? '-' : peak(s)!.toFixed(0))),
      ...(primary && subjects.includes('torch') ? [mine && torchPeak ? `${(mine / torchPeak).toFixed(2)}×` : '-'] : []),
    ];
  });
  const parts = [
    'Throughput (higher is better; ratios > 1 mean tsgrad is faster)',
    renderTable(['workload', 'unit', ...subjects, ...ratioHeads], figRows),
    '',
    'Peak resident memory of each worker process (lower is better; includes the runtime itself)',
    renderTable(['workload', 'unit', ...subjects, ...(primary && subjects.includes('torch') ? [`${short(primary)}/torch`] : [])], memRows),
  ];
  const fn = notes.render();
  if (fn) parts.push('', fn);
  return parts.join('\n');
}

/** Writes the JSON report atomically (temporary file, then rename). */
export function writeReport(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
  renameSync(tmp, path);
}
