/** Starts the tributi service on its own (distributed mode). */
import { createInProcessBus, createLogger, createNatsBus, startTracingFromEnv } from '@sportello/platform';
import { createTributi, loadTributiConfig } from './index.js';

const config = loadTributiConfig(process.env);
const logger = createLogger({ name: 'tributi', level: config.logLevel });
const tracing = startTracingFromEnv(process.env, {
  app: 'tributi',
  serviceName: 'sportello-tributi',
  logger,
});
const bus =
  config.bus.kind === 'nats'
    ? await createNatsBus({ servers: config.bus.natsServers, logger })
    : createInProcessBus({ logger });
const tributi = await createTributi(config, { bus, logger });
const url = await tributi.listen(config.port, '0.0.0.0');
logger.info({ url }, 'tributi ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void tributi
      .close()
      .then(() => bus.close())
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  });
}
