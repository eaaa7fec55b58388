import type { Command } from '../command.js';

// Each command lives in its own file; add one import and one entry per command.

/** Every `tsgrad` subcommand, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [];
