import { z } from 'zod';
import { INTERNAL_SECRET_MIN_LENGTH } from '../auth/internal-assertion.js';
import {
  checkDatabaseEnv,
  envBus,
  envComune,
  envDatabaseDriver,
  envDatabaseUrl,
  envJwksUrl,
  envLogLevel,
  envNatsUrl,
  envPort,
  envSportelloMode,
  envText,
  envTokenAudience,
  envTokenIssuer,
  envUrl,
  type BusKind,
  type DatabaseDriver,
  type LogLevel,
  type SportelloMode,
} from './env.js';
import { parseConfig, type Environment } from './parse-config.js';

/**
 * The one default of each core variable, shared by every service, the gateway and the hub (a test
 * fails when a copy drifts). They describe a demo on one machine: the gateway on port 4000 as the
 * public origin, identity's keys on 4001.
 */
export const CORE_DEFAULTS = {
  /** The demo comune, Borgo Sereno (a fictional ISTAT code). */
  comune: '999001',
  comuneName: 'Borgo Sereno',
  /** The gateway's origin: the only one a person or an app ever sees. */
  publicUrl: 'http://localhost:4000',
  tokenAudience: 'sportello-api',
  jwksUrl: 'http://127.0.0.1:4001/.well-known/jwks.json',
  /** Services listen privately: only the gateway faces the network. */
  host: '127.0.0.1',
} as const;

/** The ports a process listens on unless `PORT` says otherwise. */
export const DEFAULT_PORTS = {
  gateway: 4000,
  identity: 4001,
  anagrafe: 4002,
  tributi: 4003,
  practices: 4004,
  'civil-protection': 4005,
  notifier: 4006,
} as const;

export type CoreServiceName = Exclude<keyof typeof DEFAULT_PORTS, 'gateway'>;

/** `INTERNAL_SECRET`: the deployment's shared secret for internal assertions. */
export function envInternalSecret() {
  return envText()
    .optional()
    .refine(
      (value) => value === undefined || value.length >= INTERNAL_SECRET_MIN_LENGTH,
      `expected at least ${INTERNAL_SECRET_MIN_LENGTH} characters (e.g. openssl rand -base64 32)`,
    );
}

/** `PUBLIC_URL`: the public origin, `https://` (or `http://` for a demo), no path or query. */
export function envPublicUrl(fallback?: string) {
  return envUrl(['http', 'https'], fallback).refine((value) => {
    const url = new URL(value);
    return (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === '';
  }, 'expected an origin such as https://servizi.comune.example.it, without a path');
}

/**
 * The variables every process of a deployment reads, the gateway included: mode, bus, tokens, the
 * public origin and the internal secret.
 */
export function deploymentEnvShape() {
  return {
    SPORTELLO_MODE: envSportelloMode(),
    LOG_LEVEL: envLogLevel(),
    BUS: envBus(),
    NATS_URL: envNatsUrl(),
    /** @default PUBLIC_URL: identity issues tokens as the public origin */
    TOKEN_ISSUER: envTokenIssuer().optional(),
    TOKEN_AUDIENCE: envTokenAudience(CORE_DEFAULTS.tokenAudience),
    JWKS_URL: envJwksUrl(CORE_DEFAULTS.jwksUrl),
    PUBLIC_URL: envPublicUrl().optional(),
    INTERNAL_SECRET: envInternalSecret(),
  };
}

/**
 * The variables every service reads, with their defaults: the deployment's, plus where it listens,
 * its comune and its database. A service extends it with its own:
 * `z.object({ ...serviceEnvShape('tributi'), CREDITOR_NAME: envText('Comune') })`.
 */
export function serviceEnvShape(service: CoreServiceName) {
  return {
    ...deploymentEnvShape(),
    PORT: envPort(DEFAULT_PORTS[service]),
    HOST: envText(CORE_DEFAULTS.host),
    COMUNE: envComune(CORE_DEFAULTS.comune),
    COMUNE_NAME: envText(CORE_DEFAULTS.comuneName),
    DATABASE_DRIVER: envDatabaseDriver(),
    DATABASE_URL: envDatabaseUrl(`./data/${service}.db`),
  };
}

/** The core variables as {@link serviceEnvShape} parses them. */
export type CoreServiceEnv = z.output<z.ZodObject<ReturnType<typeof serviceEnvShape>>>;

/** What production cannot do without, named for the operator. */
export const PRODUCTION_REQUIRED = {
  COMUNE: "the comune's ISTAT code (the demo comune is for demos)",
  COMUNE_NAME: "the comune's name as citizens read it",
  PUBLIC_URL: 'the public origin every link and the OIDC issuer are built on',
  INTERNAL_SECRET: 'the shared secret proving calls come from the gateway or a service',
} as const;

/**
 * In production, the settings a demo may leave to their defaults; use as
 * `.superRefine(checkDeploymentEnv)` (the gateway) or through {@link checkServiceEnv}.
 */
export function checkDeploymentEnv(
  env: Pick<CoreServiceEnv, 'SPORTELLO_MODE' | 'PUBLIC_URL' | 'INTERNAL_SECRET'> & {
    COMUNE?: string;
    COMUNE_NAME?: string;
  },
  ctx: z.RefinementCtx,
): void {
  if (env.SPORTELLO_MODE !== 'production') return;
  const missing: Array<keyof typeof PRODUCTION_REQUIRED> = [];
  // The demo comune's code and name are not a comune's: production names its own.
  if (env.COMUNE === CORE_DEFAULTS.comune) missing.push('COMUNE');
  if (env.COMUNE_NAME === CORE_DEFAULTS.comuneName) missing.push('COMUNE_NAME');
  if (env.PUBLIC_URL === undefined) missing.push('PUBLIC_URL');
  if (env.INTERNAL_SECRET === undefined) missing.push('INTERNAL_SECRET');
  for (const name of missing) {
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `required in production: ${PRODUCTION_REQUIRED[name]}`,
    });
  }
  if (env.PUBLIC_URL !== undefined && !isSecureOrigin(env.PUBLIC_URL)) {
    ctx.addIssue({
      code: 'custom',
      path: ['PUBLIC_URL'],
      message: 'must be https:// in production (http:// only for a loopback address)',
    });
  }
}

/**
 * Cross-checks of a service's core variables: the database driver against its URL, and
 * {@link checkDeploymentEnv}. Use as `.superRefine(checkServiceEnv)`.
 */
export function checkServiceEnv(
  env: Pick<
    CoreServiceEnv,
    | 'SPORTELLO_MODE'
    | 'DATABASE_DRIVER'
    | 'DATABASE_URL'
    | 'PUBLIC_URL'
    | 'INTERNAL_SECRET'
    | 'COMUNE'
    | 'COMUNE_NAME'
  >,
  ctx: z.RefinementCtx,
): void {
  checkDatabaseEnv(env, ctx);
  checkDeploymentEnv(env, ctx);
}

/** `https://`, or `http://` on a loopback host (a production run on one machine, tests). */
export function isSecureOrigin(value: string): boolean {
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** What every service's configuration starts with. */
export interface ServiceCoreConfig {
  mode: SportelloMode;
  port: number;
  /** Interface the service listens on. @default '127.0.0.1' */
  host?: string;
  logLevel: LogLevel;
  /** The comune of requests and jobs that name none. */
  defaultComune: string;
  /** Display names of comuni by ISTAT code ("Borgo Sereno"); unknown ones show the code. */
  comuneNames: Record<string, string>;
  database: { driver: DatabaseDriver; url: string; postgresDatabase?: string };
  bus: { kind: BusKind; natsServers: string[]; subjectRoot?: string };
  /** `iss` of access tokens: identity's issuer, the public origin unless `TOKEN_ISSUER` says otherwise. */
  tokenIssuer: string;
  tokenAudience: string;
  jwksUrl: URL;
  /** The public origin (no trailing slash): every link a person or an app sees starts with it. */
  publicUrl: string;
  /**
   * `INTERNAL_SECRET`: with it, the service answers only the gateway and other services (and signs
   * its own calls to them); `null` answers anyone (a service run alone in demo mode).
   */
  internalSecret: string | null;
}

/** Trailing slashes off: links are built as `${publicUrl}/path`. */
export function originOf(value: string): string {
  return value.replace(/\/+$/, '');
}

/** The {@link ServiceCoreConfig} part of a service's configuration, from its parsed variables. */
export function serviceCoreConfig(raw: CoreServiceEnv): ServiceCoreConfig {
  const publicUrl = originOf(raw.PUBLIC_URL ?? CORE_DEFAULTS.publicUrl);
  return {
    mode: raw.SPORTELLO_MODE,
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    defaultComune: raw.COMUNE,
    comuneNames: { [raw.COMUNE]: raw.COMUNE_NAME },
    database: { driver: raw.DATABASE_DRIVER, url: raw.DATABASE_URL },
    bus: { kind: raw.BUS, natsServers: raw.NATS_URL },
    tokenIssuer: raw.TOKEN_ISSUER ?? publicUrl,
    tokenAudience: raw.TOKEN_AUDIENCE,
    jwksUrl: raw.JWKS_URL,
    publicUrl,
    internalSecret: raw.INTERNAL_SECRET ?? null,
  };
}

/** The parsed variables of a service reading the core variables and those of `Shape`. */
export type ServiceEnv<Shape extends z.ZodRawShape> = z.output<
  z.ZodObject<ReturnType<typeof serviceEnvShape> & Shape>
>;

/** A service's configuration and the variables it is read from, as {@link defineServiceConfig} makes them. */
export interface ServiceConfigDefinition<Config extends ServiceCoreConfig> {
  /** The environment variables the service reads: the hub hands each service those of its own, no others. */
  readonly variables: readonly string[];
  /**
   * Reads the service's configuration from the environment.
   *
   * @throws {ConfigError} listing every bad variable.
   */
  readonly load: (env: Environment) => Config;
}

/**
 * A service's configuration: the core variables of {@link serviceEnvShape} and the service's own
 * `shape`, checked with {@link checkServiceEnv} and then `check`, read into the
 * {@link ServiceCoreConfig} plus what `build` adds.
 *
 * @example
 * const tributiConfig = defineServiceConfig('tributi', { CREDITOR_NAME: envText('Comune') }, {
 *   build: (raw) => ({ creditorName: raw.CREDITOR_NAME }),
 * });
 */
export function defineServiceConfig<Shape extends z.ZodRawShape, Own extends object>(
  service: CoreServiceName,
  shape: Shape,
  options: {
    /** Cross-checks of the service's own variables, after the core ones. */
    check?: (env: ServiceEnv<Shape>, ctx: z.RefinementCtx) => void;
    /** The service's own settings, from its parsed variables and its core configuration. */
    build: (raw: ServiceEnv<Shape>, core: ServiceCoreConfig) => Own;
  },
): ServiceConfigDefinition<ServiceCoreConfig & Own> {
  const { check, build } = options;
  // Typed as the core variables alone: the service's own are typed at the service, through `Shape`.
  const core: z.ZodRawShape = serviceEnvShape(service);
  let schema = z.object({ ...core, ...shape }).superRefine((env, ctx) => {
    checkServiceEnv(env as CoreServiceEnv, ctx);
  });
  if (check) schema = schema.superRefine((env, ctx) => check(env as ServiceEnv<Shape>, ctx));
  return {
    variables: Object.keys(schema.shape),
    load: (env) => {
      const raw = parseConfig(schema, env, { app: service }) as ServiceEnv<Shape>;
      const coreConfig = serviceCoreConfig(raw as CoreServiceEnv);
      return { ...coreConfig, ...build(raw, coreConfig) };
    },
  };
}
