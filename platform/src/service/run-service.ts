import type { EventBus } from '../bus/event-bus.js';
import { createInProcessBus } from '../bus/in-process-bus.js';
import { createNatsBus } from '../bus/nats-bus.js';
import { ConfigError } from '../config/config-error.js';
import type { Environment } from '../config/parse-config.js';
import type { ServiceCoreConfig } from '../config/service-config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { startTracingFromEnv } from '../observability/tracing.js';

/** What {@link runService} needs of a service's handle. */
export interface RunnableService {
  /** Starts serving; resolves to the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Options of {@link runService}. */
export interface RunServiceOptions<Config extends ServiceCoreConfig, Service extends RunnableService> {
  /** Service name: logs, the NATS connection, spans as `sportello-<name>`. */
  name: string;
  /** The service's own configuration loader. @throws {ConfigError} */
  loadConfig(env: Environment): Config;
  create(config: Config, deps: { bus: EventBus; logger: Logger }): Promise<Service>;
  /** Fields for the "ready" log line beyond the URL. */
  describe?(service: Service): Record<string, unknown>;
  /** @default process.env */
  env?: Environment;
}

/**
 * Runs a service as its own process (`main.ts` of each service): reads the configuration once (a bad
 * one prints every bad variable and exits with code 2, no stack trace), starts tracing, connects the
 * bus the configuration names, creates and starts the service on `HOST:PORT`, and stops it cleanly on
 * SIGINT or SIGTERM. The embedded hub does not use it: it wires services in one process itself.
 */
export async function runService<Config extends ServiceCoreConfig, Service extends RunnableService>(
  options: RunServiceOptions<Config, Service>,
): Promise<void> {
  const env = options.env ?? process.env;
  let config: Config;
  try {
    config = options.loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // No logger yet (its level is configuration): the operator reads this on the terminal.
    // eslint-disable-next-line no-console
    console.error(error.message);
    process.exit(2);
  }
  const logger = createLogger({ name: options.name, level: config.logLevel });
  const tracing = startTracingFromEnv(env, {
    app: options.name,
    serviceName: `sportello-${options.name}`,
    logger,
  });
  const bus =
    config.bus.kind === 'nats'
      ? await createNatsBus({ servers: config.bus.natsServers, connectionName: options.name, logger })
      : createInProcessBus({ logger });
  const service = await options.create(config, { bus, logger });
  const url = await service.listen(config.port, config.host);
  logger.info({ url, mode: config.mode, ...options.describe?.(service) }, `${options.name} ready`);

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, `${options.name} stopping`);
      void service
        .close()
        .then(() => bus.close())
        .then(() => tracing.shutdown())
        .finally(() => process.exit(0));
    });
  }
}
