import type { Command } from '../command.js';
import { classifyCommand } from './classify.js';
import { convertCommand } from './convert.js';
import { finetuneCommand } from './finetune.js';
import { evalCommand } from './eval.js';
import { plotExpCommand } from './plot-exp.js';
import { runExpCommand } from './run-exp.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';
import { trainMlpLayersCommand } from './train-mlp-layers.js';

// Each command lives in its own file; add one import and one entry per command.

/** Every `tsgrad` subcommand, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [trainCommand, evalCommand, classifyCommand, trainMlpLayersCommand, runExpCommand, sweepCommand, plotExpCommand, convertCommand, finetuneCommand];
