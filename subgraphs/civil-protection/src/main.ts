import { createInProcessBus, createLogger, createNatsBus, startTracingFromEnv } from '@sportello/platform';
import { createCivilProtection, loadCivilProtectionConfig } from './index.js';

/** Runs civil-protection as its own process (the hub wires the embedded mode itself). */
const config = loadCivilProtectionConfig(process.env);
const logger = createLogger({ name: 'civil-protection', level: config.logLevel });
const tracing = startTracingFromEnv(process.env, {
  app: 'civil-protection',
  serviceName: 'sportello-civil-protection',
  logger,
});
const bus =
  config.bus.kind === 'nats'
    ? await createNatsBus({ servers: config.bus.natsServers, logger })
    : createInProcessBus();
const service = await createCivilProtection(config, { bus, logger });
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
