import { type z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';

/** Environment variables as Node exposes them. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ParseConfigOptions {
  /** Name of the app, used in the error message (`Invalid configuration for <app>: ...`). */
  app: string;
}

/**
 * Variables whose value must never be echoed back: secrets end in TOKEN/KEY/PASS or mention
 * SECRET/PASSWORD/PRIVATE/CREDENTIAL. `TOKEN_ISSUER` and `TOKEN_AUDIENCE` are public and stay readable.
 */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL)|(^|_)(TOKEN|KEY|APIKEY|PASS)$/i;

/** `scheme://user:password@host` keeps the user and host readable but not the password. */
const URL_PASSWORD = /(\/\/[^:/@\s]*:)[^@\s]*@/g;

function describeReceived(variable: string, value: string | undefined): string {
  if (value === undefined) return 'not set';
  if (SECRET_NAME.test(variable)) return `a hidden value of ${value.length} characters`;
  return JSON.stringify(value.replace(URL_PASSWORD, '$1***@'));
}

function issueOf(issue: z.core.$ZodIssue, env: Environment): ConfigIssue {
  const variable = issue.path.length > 0 ? issue.path.map(String).join('.') : '(configuration)';
  const head = issue.path[0];
  const raw = typeof head === 'string' ? env[head] : undefined;
  // Zod's own wording for a missing string ("expected string, received undefined") says less than "required".
  const reason = raw === undefined && issue.code === 'invalid_type' ? 'required' : issue.message;
  return { variable, reason, received: describeReceived(variable, raw) };
}

/**
 * Turns environment variables into a typed configuration, once, at boot.
 *
 * Empty strings count as unset, so `PORT=` falls back to the schema default instead of failing.
 *
 * @param schema - one zod object per app, built from the `env*` pieces of this module.
 * @param env - the variables to read. @default process.env
 * @throws {ConfigError} listing every bad variable with the reason and the received value (masked
 * when the name suggests a secret, passwords inside URLs always hidden).
 * @example
 * const config = parseConfig(z.object({ PORT: envPort(4000), LOG_LEVEL: envLogLevel() }), process.env, { app: 'gateway' });
 */
export function parseConfig<Schema extends z.ZodObject>(
  schema: Schema,
  env: Environment = process.env,
  options: ParseConfigOptions,
): z.output<Schema> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') present[name] = value;
  }
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    options.app,
    result.error.issues.map((issue) => issueOf(issue, present)),
  );
}
