/** @module cli/version — `rotor version`. */
import type { Command } from 'commander';
import { VERSION } from '../version.js';

/** The version line: `Rotor v<version> (Centrifugo-compatible v5 API, Node <process.version>)`. */
function versionLine(): string {
  return `Rotor v${VERSION} (Centrifugo-compatible v5 API, Node ${process.version})`;
}

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description('print the version')
    .action(() => {
      console.log(versionLine());
    });
}
