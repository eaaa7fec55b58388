import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, UsageError } from '../command.js';
import { defaultPlotBase, matchRuns, plotExperiments } from '../../experiments/plot.js';

const USAGE = `Usage: tsgrad plot-exp PATTERN [--results DIR] [--out BASE] [--metric both|loss|accuracy] [--title T]

Plots the train and test loss and accuracy of every run in the results folder whose name matches
PATTERN (shell-style: * and ?, quoted so the shell leaves it alone, e.g. 'exp1_1_*'), all in one
figure, and writes BASE.png and BASE.svg.

  --results DIR   folder of the run files (default results)
  --out BASE      output path without extension (default DIR/plots/PATTERN with * as "all")
  --metric M      both panels (default), or only loss or accuracy
  --title T       figure title`;

/** `tsgrad plot-exp`: plots the matched experiment runs together (PNG and SVG). */
export const plotExpCommand: Command = {
  name: 'plot-exp',
  summary: "plot the loss and accuracy curves of experiment runs matching a pattern ('exp1_1_*'), PNG and SVG",
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { results: { type: 'string', default: 'results' }, out: { type: 'string', short: 'o' }, metric: { type: 'string', default: 'both' }, title: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError(`plot-exp: expected one pattern, got ${positionals.length ? positionals.join(' ') : 'none'} (quote it: 'exp1_1_*')`);
    const metric = values.metric;
    if (metric !== 'both' && metric !== 'loss' && metric !== 'accuracy') throw new UsageError(`plot-exp: --metric must be both, loss or accuracy, got ${JSON.stringify(metric)}`);
    const dir = resolve(values.results);
    const pattern = positionals[0]!;
    const runs = matchRuns(dir, pattern);
    if (runs.length === 0) throw new UsageError(`plot-exp: no run in ${dir} matches ${JSON.stringify(pattern)}`);
    const base = values.out ? resolve(values.out) : defaultPlotBase(dir, pattern);
    const paths = await plotExperiments(runs, base, { metric, ...(values.title !== undefined ? { title: values.title } : {}) });
    process.stdout.write(`plotted ${runs.length} run(s): ${runs.map((r) => r.runName).join(', ')}\n  ${paths.png}\n  ${paths.svg}\n`);
    return 0;
  },
};
