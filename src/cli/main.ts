#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HELP = `tsgrad: deep learning in TypeScript

Usage: tsgrad <command> [options]

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

/** Reads the package version from package.json next to the build output. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Entry point of the `tsgrad` command. */
export function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return 0;
  }
  process.stderr.write(`tsgrad: unknown command ${JSON.stringify(positionals[0])}; see tsgrad --help\n`);
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`tsgrad: ${(e as Error).message}\n`);
  process.exitCode = 2;
}
