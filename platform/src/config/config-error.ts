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
    const listed = issues
      .map((issue) => `${issue.variable}: ${issue.reason}, got ${issue.received}`)
      .join('; ');
    super(`Invalid configuration for ${app}: ${listed}`);
  }
}
