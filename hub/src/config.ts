import { z } from 'zod';
import {
  envComune,
  envInteger,
  envLogLevel,
  envNatsUrl,
  envText,
  parseConfig,
  type Environment,
  type LogLevel,
} from '@sportello/platform';

/** The services the hub runs, in start order (identity first: the others verify its tokens). */
export const SERVICES = [
  'identity',
  'anagrafe',
  'tributi',
  'practices',
  'civil-protection',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Everything the hub needs, typed. */
export interface HubConfig {
  /** Gateway port; the services listen on the next ports (identity PORT+1 ...), or on free ports when 0. */
  port: number;
  /** Interface the gateway binds to. */
  host: string;
  logLevel: LogLevel;
  /** Folder of the SQLite files, the mailbox and the sandbox of the embedded mode. */
  dataDir: string;
  /** ISTAT code of the demo comune. */
  comune: string;
  /** Port of the local SMTP catcher (embedded mode); 0 picks a free one. */
  smtpPort: number;
  /** Households of the generated demo population (about 2.2 people each). */
  demoHouseholds: number;
  /** Distributed mode: PostgreSQL server and NATS. */
  postgresUrl: string;
  /** Distributed mode: each service's database is `<prefix><service>` (dashes become underscores). */
  postgresDatabasePrefix: string;
  natsServers: string[];
  /** `aud` of every access token; the gateway and all services agree on it. */
  tokenAudience: string;
}

const envSchema = z.object({
  PORT: envInteger({ min: 0, max: 65_535 }, 4000),
  HOST: envText('127.0.0.1'),
  // A person starting the demo wants the progress and the addresses, not every request: warn.
  LOG_LEVEL: envLogLevel('warn'),
  DATA_DIR: envText('./data'),
  COMUNE: envComune('999001'),
  SMTP_PORT: envInteger({ min: 0, max: 65_535 }, 2525),
  DEMO_HOUSEHOLDS: envInteger({ min: 1, max: 200_000 }, 1200),
  POSTGRES_URL: envText('postgres://postgres@127.0.0.1:5432'),
  POSTGRES_DATABASE_PREFIX: envText('sportello_').pipe(
    z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'expected lower-case letters, digits and underscores'),
  ),
  NATS_URL: envNatsUrl(),
  TOKEN_AUDIENCE: envText('sportello-api'),
});

/**
 * Reads the hub's configuration.
 * @throws {ConfigError} naming every bad variable.
 */
export function loadHubConfig(env: Environment): HubConfig {
  const raw = parseConfig(envSchema, env, { app: 'hub' });
  return {
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    dataDir: raw.DATA_DIR,
    comune: raw.COMUNE,
    smtpPort: raw.SMTP_PORT,
    demoHouseholds: raw.DEMO_HOUSEHOLDS,
    postgresUrl: raw.POSTGRES_URL,
    postgresDatabasePrefix: raw.POSTGRES_DATABASE_PREFIX,
    natsServers: raw.NATS_URL,
    tokenAudience: raw.TOKEN_AUDIENCE,
  };
}
