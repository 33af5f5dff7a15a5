/** One environment variable that failed validation. */
export interface ConfigIssue {
  /** Name of the environment variable, e.g. `PORT`. */
  variable: string;
  /** What was expected, e.g. `expected an integer between 1 and 65535`. */
  reason: string;
  /** The value as it may be shown: `"abc"`, `not set`, or a masked form for secrets. */
  received: string;
}

/**
 * The environment does not describe a usable configuration. Thrown once at boot by
 * {@link parseConfig}; its message names every bad variable so one restart is enough to fix them.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly app: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    const lines = issues.map((issue) => `${issue.variable}: ${issue.reason}, got ${issue.received}`);
    // One line for one variable; a list, one per line, for several (a production start missing many).
    super(
      lines.length === 1
        ? `Invalid configuration for ${app}: ${lines[0]}`
        : `Invalid configuration for ${app}:\n${lines.map((line) => `  - ${line}`).join('\n')}`,
    );
  }
}
