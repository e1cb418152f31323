/** @module config/errors — ConfigError: every configuration problem found, in one error. */

/** One problem: `path` is the key path (`engine`, `namespaces[1].presence`, or the config file for syntax errors). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown when the configuration cannot be used. `problems` lists every bad key (validation never stops at
 * the first one); `message` names all of them, one per line after a summary line.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'ERR_CONFIG';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(formatProblems(problems), options);
    this.problems = Object.freeze([...problems]);
  }
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`));
  if (lines.length === 1) return `invalid configuration: ${lines[0] ?? ''}`;
  return `invalid configuration (${lines.length} problems):\n${lines.map((l) => `  - ${l}`).join('\n')}`;
}
