/** Starts the notifier on its own (distributed mode). */
import { createInProcessBus, createLogger, createNatsBus, startTracingFromEnv } from '@sportello/platform';
import { createNotifier, loadNotifierConfig } from './index.js';

const config = loadNotifierConfig(process.env);
const logger = createLogger({ name: 'notifier', level: config.logLevel });
const tracing = startTracingFromEnv(process.env, {
  app: 'notifier',
  serviceName: 'sportello-notifier',
  logger,
});
const bus =
  config.bus.kind === 'nats'
    ? await createNatsBus({ servers: config.bus.natsServers, logger })
    : createInProcessBus({ logger });
const notifier = await createNotifier(config, { bus, logger });
const url = await notifier.listen(config.port, '0.0.0.0');
logger.info({ url, channels: [...notifier.channels.keys()] }, 'notifier ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void notifier
      .close()
      .then(() => bus.close())
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  });
}
