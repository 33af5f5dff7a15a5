/** Starts the identity service on its own (distributed mode). */
import { createInProcessBus, createLogger, createNatsBus, startTracingFromEnv } from '@sportello/platform';
import { createIdentity, loadIdentityConfig } from './index.js';

const config = loadIdentityConfig(process.env);
const logger = createLogger({ name: 'identity', level: config.logLevel });
const tracing = startTracingFromEnv(process.env, {
  app: 'identity',
  serviceName: 'sportello-identity',
  logger,
});
const bus =
  config.bus.kind === 'nats'
    ? await createNatsBus({ servers: config.bus.natsServers, logger })
    : createInProcessBus({ logger });
const identity = await createIdentity(config, { bus, logger });
const url = await identity.listen(config.port, '0.0.0.0');
logger.info({ url }, 'identity ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void identity
      .close()
      .then(() => bus.close())
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  });
}
