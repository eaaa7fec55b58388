#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import '../backend/defaults.js';
import { UsageError } from './command.js';
import { COMMANDS } from './commands/index.js';

/** Reads the package version from package.json at the package root. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(8, ...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `tsgrad ${version()}: deep learning in TypeScript

Usage: tsgrad <command> [options]      (tsgrad <command> --help for its options)

Commands:
${lines.join('\n') || '  (none yet)'}

Options:
  -h, --help     show this help
  -v, --version  print the version
`;
}

/** Entry point of the `tsgrad` command; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(help());
    return 0;
  }
  // The native thread pool reads it with atoi and silently falls back: say it is wrong instead.
  const threads = process.env['TSGRAD_NUM_THREADS'];
  if (threads !== undefined && threads !== '' && !/^[1-9]\d{0,3}$/.test(threads.trim())) {
    process.stderr.write(`tsgrad: TSGRAD_NUM_THREADS must be a whole number from 1 to 9999, got ${JSON.stringify(threads)}\n`);
    return 2;
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) {
    process.stderr.write(`tsgrad: unknown command ${JSON.stringify(first)}; see tsgrad --help\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage.endsWith('\n') ? cmd.usage : cmd.usage + '\n');
    return 0;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as Error;
    // Bad input of any kind gets one clear line; unexpected failures keep their stack.
    const known = err instanceof UsageError || err.name === 'TypeError' || /Error$/.test(err.name);
    process.stderr.write(`tsgrad: ${known ? err.message : (err.stack ?? String(err))}\n`);
    // An --out (or other output path) that cannot be written is the caller's to fix: a usage error.
    process.exitCode = err instanceof UsageError || err.name === 'OutputPathError' ? 2 : 1;
  },
);
