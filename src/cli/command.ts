/**
 * What every subcommand of the CLI shares: its shape, the exit codes, the
 * errors that are the user's (printed as one line, never a stack trace).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ParseArgsConfig } from 'util';

/** Nothing found (at or above `--fail-on`). */
export const EXIT_CLEAN = 0;
/** Findings at or above `--fail-on`. */
export const EXIT_FINDINGS = 1;
/** A usage error, or an input that cannot be read. */
export const EXIT_USAGE = 2;

/** A mistake in the command line: printed as one line, with a hint to `--help`. */
export class UsageError extends Error {}

/** Where the CLI writes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A subcommand: `cdk-cross-account-roles <name> ...`. */
export interface Command {
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** The full help text. */
  readonly usage: string;
  /** Its options, as node's `util.parseArgs` takes them (`--help` is added). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Runs it; returns the exit code. Throws UsageError or InputError for the user's mistakes. */
  run(values: Record<string, unknown>, positionals: string[], io: CliIo): number;
}

/** Writes a report to `--output`, or to standard output. */
export function writeOutput(io: CliIo, output: string | undefined, text: string): void {
  if (output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    fs.writeFileSync(output, text);
  } catch (e) {
    throw new UsageError(`--output: cannot write ${output} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** This package's version. */
export function packageVersion(): string {
  try {
    const manifest: unknown = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    const version = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>).version : undefined;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
