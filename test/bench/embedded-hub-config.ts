/**
 * The configuration of an embedded hub a benchmark starts in its own process: a fresh demo comune in
 * `dataDir`, its mail to an SMTP server of the benchmark's on loopback (or to the hub's own), only
 * warnings logged, and an internal secret of its own that the benchmark knows (to call the subgraphs
 * straight, signed).
 */
import { randomBytes } from 'node:crypto';
import { loadHubConfig, type startEmbeddedHub } from '@sportello/hub';

export interface EmbeddedHubConfigOptions {
  /** The hub's data folder (a temp folder the benchmark removes afterwards). */
  dataDir: string;
  /**
   * The loopback port of the SMTP server the hub's notifications go to.
   * @default the hub's own mail catcher, on a free port
   */
  smtpPort?: number;
  /** Households of the demo comune. */
  households: number;
  /** Further settings, on top of (or instead of) the ones above. */
  env?: Record<string, string>;
}

/** The hub's configuration, and the internal secret it was given. */
export function embeddedHubConfig(options: EmbeddedHubConfigOptions): {
  config: ReturnType<typeof loadHubConfig>;
  internalSecret: string;
} {
  const internalSecret = randomBytes(32).toString('base64url');
  const config = loadHubConfig({
    INTERNAL_SECRET: internalSecret,
    PORT: '0',
    ...(options.smtpPort === undefined
      ? { SMTP_PORT: '0' }
      : { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(options.smtpPort) }),
    DATA_DIR: options.dataDir,
    DEMO_HOUSEHOLDS: String(options.households),
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  return { config, internalSecret };
}

/** What a benchmark's hub process reports once its hub is up. */
export interface EmbeddedHubReady {
  /** The embedded hub's own gateway. */
  gatewayUrl: string;
  /** Base URL of each service. */
  services: Record<string, string>;
  /** The deployment's internal secret: what another gateway in front of the services signs with. */
  internalSecret: string;
  /** The public origin (the hub's gateway): identity's routes (`/auth/dev/token`) are there. */
  publicUrl: string;
  comune: string;
  households: number;
}

/** The {@link EmbeddedHubReady} of a started hub, of the given configuration. */
export function embeddedHubReady(
  hub: Pick<Awaited<ReturnType<typeof startEmbeddedHub>>, 'url' | 'services'>,
  setup: { internalSecret: string; comune: string; households: number },
): EmbeddedHubReady {
  return {
    gatewayUrl: hub.url,
    services: hub.services as Record<string, string>,
    internalSecret: setup.internalSecret,
    publicUrl: hub.url.replace(/\/graphql$/, ''),
    comune: setup.comune,
    households: setup.households,
  };
}
