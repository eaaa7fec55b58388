/** One `tsgrad <name>` subcommand. */
export interface Command {
  name: string;
  /** One line for `tsgrad --help`. */
  summary: string;
  /** Full usage text for `tsgrad <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/** A bad flag or value: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
