/** @module cli — the `rotor` command line: builds the commander program and registers every subcommand. */
import { Command } from 'commander';
import { registerCheckconfigCommand } from './checkconfig.js';
import { registerConfigdocCommand } from './configdoc.js';
import { registerDefaultconfigCommand } from './defaultconfig.js';
import { registerDefaultenvCommand } from './defaultenv.js';
import { registerMigrateconfigCommand } from './migrateconfig.js';
import { registerGenconfigCommand } from './genconfig.js';
import { registerServeCommand } from './serve.js';
import { registerTokenCommands } from './token-commands.js';
import { registerVersionCommand } from './version.js';

/**
 * The `rotor` program with `serve` (default), `genconfig`, `checkconfig`, `defaultconfig`, `defaultenv`,
 * `configdoc`, `migrateconfig`, `version` and the token commands.
 */
export function createProgram(): Command {
  const program = new Command('rotor')
    .description('Rotor: a Centrifugo-compatible real-time messaging server')
    .showHelpAfterError();
  registerServeCommand(program);
  registerGenconfigCommand(program);
  registerCheckconfigCommand(program);
  registerDefaultconfigCommand(program);
  registerDefaultenvCommand(program);
  registerConfigdocCommand(program);
  registerMigrateconfigCommand(program);
  registerVersionCommand(program);
  registerTokenCommands(program);
  return program;
}

/** Parses `argv` (as `process.argv`: node, script, args…) and runs the chosen command. Errors propagate. */
export async function runCli(argv: readonly string[]): Promise<void> {
  await createProgram().parseAsync([...argv]);
}
