/**
 * The command line of `cdk-cross-account-roles`: one entry per subcommand
 * (add a subcommand by adding its `Command` to COMMANDS), options parsed by
 * node's `util.parseArgs`.
 */
import { parseArgs } from 'util';
import { AUDIT_COMMAND } from './audit-command';
import { CliIo, Command, EXIT_CLEAN, EXIT_USAGE, UsageError, packageVersion } from './command';
import { EXPLAIN_COMMAND } from './explain-command';
import { MAP_COMMAND } from './map-command';
import { InputError } from './template-file';

/** The subcommands, by name. */
export const COMMANDS: Command[] = [AUDIT_COMMAND, MAP_COMMAND, EXPLAIN_COMMAND];

const PROGRAM = 'cdk-cross-account-roles';

function overview(): string {
  const width = Math.max(...COMMANDS.map(c => c.name.length));
  return [
    `usage: ${PROGRAM} <command> [arguments…]`,
    '',
    'commands:',
    ...COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${PROGRAM} <command> --help' for a command's options.`,
  ].join('\n') + '\n';
}

/** The process's standard streams. */
export const PROCESS_IO: CliIo = {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
};

/**
 * Runs the CLI; returns the exit code. A user's mistake (a usage error, a
 * file that cannot be read or parsed) is one line on standard error, exit 2.
 */
export function runCli(argv: string[], io: CliIo = PROCESS_IO): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview());
    return name === undefined ? EXIT_USAGE : EXIT_CLEAN;
  }
  if (name === '--version') {
    io.stdout(`${packageVersion()}\n`);
    return EXIT_CLEAN;
  }
  const command = COMMANDS.find(c => c.name === name);
  try {
    if (command === undefined) {
      throw new UsageError(`unknown command '${name}'; the commands are ${COMMANDS.map(c => c.name).join(', ')}`);
    }
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.split('\n')[0]);
    }
    if (parsed.values.help === true) {
      io.stdout(`${command.usage}\n`);
      return EXIT_CLEAN;
    }
    return command.run(parsed.values, parsed.positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${PROGRAM}${command ? ` ${command.name}` : ''}: ${e.message} (see --help)\n`);
      return EXIT_USAGE;
    }
    if (e instanceof InputError) {
      io.stderr(`${PROGRAM}${command ? ` ${command.name}` : ''}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
