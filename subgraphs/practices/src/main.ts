import { createInProcessBus, createLogger, createNatsBus, startTracingFromEnv } from '@sportello/platform';
import { createPractices, loadPracticesConfig } from './index.js';

/** Runs practices as its own process (the hub wires the embedded mode itself). */
const config = loadPracticesConfig(process.env);
const logger = createLogger({ name: 'practices', level: config.logLevel });
const tracing = startTracingFromEnv(process.env, {
  app: 'practices',
  serviceName: 'sportello-practices',
  logger,
});
const bus =
  config.bus.kind === 'nats'
    ? await createNatsBus({ servers: config.bus.natsServers, logger })
    : createInProcessBus();
const service = await createPractices(config, { bus, logger });
await service.listen(config.port, '0.0.0.0');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void service
      .close()
      .then(() => bus.close())
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  });
}
