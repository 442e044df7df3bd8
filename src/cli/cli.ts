/**
 * `egide`, the command-line client: the commander program, global options, and the
 * one place where errors become exit codes (exit-codes.ts) and stderr lines. Everything
 * the process offers comes through `CliIo`, so that tests run `runCli` in-process.
 * It must never read a secret from argv nor print one it was not asked to show.
 */
import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-io';
import { CliContext, type GlobalOptions } from './cli-context';
import { registerAccountCommands } from './commands/account.commands';
import { registerAdminCommands } from './commands/admin.commands';
import { registerCaseCommands } from './commands/case.commands';
import { registerContactsCommands } from './commands/contacts.commands';
import { parseNonNegativeInteger } from './commands/option-parsers';
import { registerTeamCommands } from './commands/team.commands';
import { EXIT_CODE_HELP, ExitCode, reportError } from './exit-codes';

const ENVIRONMENT_HELP = `Environment:
  EGIDE_URL      the server, when --server is not given
  EGIDE_SESSION  the session key printed by \`egide login\` (opens the encrypted session file)
  EGIDE_HOME     where the session file and the trust store live (default ~/.config/egide)

Secrets (passwords, setup token, invitation code, recovery key) are never taken from
the command line: they are prompted for without echo, or read one per line, in the
order each command's description gives, from --password-stdin, --password-fd or
--password-file. See docs/cli.md.`;

export function buildProgram(io: CliIo, contextOf: (command: Command) => CliContext): Command {
  const program = new Command('egide')
    .description('Egide command-line client: accounts, sessions, administration and team keys')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)')
    .option('--server <url>', 'the Egide server (default: $EGIDE_URL)')
    .option('--json', 'machine-readable output on stdout')
    .option('--password-stdin', 'read secrets from stdin, one per line')
    .option('--password-fd <n>', 'read secrets from this file descriptor, one per line', parseNonNegativeInteger)
    .option('--password-file <path>', 'read secrets from this file, one per line')
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODE_HELP}\n`);
  registerAccountCommands(program, contextOf);
  registerAdminCommands(program, contextOf);
  registerTeamCommands(program, contextOf);
  registerCaseCommands(program, contextOf);
  registerContactsCommands(program, contextOf);
  return program;
}

function exitCodeOfCommander(error: CommanderError): number {
  // --help and --version are successes; everything else commander reports is misuse.
  return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? ExitCode.Ok : ExitCode.Usage;
}

/** Runs one command line (`process.argv` shape: node, script, arguments…) and returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let context: CliContext | undefined;
  const contextOf = (command: Command): CliContext => {
    context ??= new CliContext(io, command.optsWithGlobals<GlobalOptions>());
    return context;
  };
  const program = buildProgram(io, contextOf);
  try {
    await program.parseAsync(argv, { from: 'node' });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeOfCommander(error);
    const reported = reportError(error, context?.usedSession ?? false);
    for (const line of reported.lines) io.stderr.write(`${line}\n`);
    return reported.exitCode;
  }
}
