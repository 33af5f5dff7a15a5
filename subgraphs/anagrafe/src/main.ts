import { createInProcessBus, createLogger, createNatsBus, startTracingFromEnv } from '@sportello/platform';
import { createAnagrafe, loadAnagrafeConfig } from './index.js';

/** Runs anagrafe as its own process (the hub wires the embedded mode itself). */
const config = loadAnagrafeConfig(process.env);
const logger = createLogger({ name: 'anagrafe', level: config.logLevel });
const tracing = startTracingFromEnv(process.env, {
  app: 'anagrafe',
  serviceName: 'sportello-anagrafe',
  logger,
});
const bus =
  config.bus.kind === 'nats'
    ? await createNatsBus({ servers: config.bus.natsServers, logger })
    : createInProcessBus();
const service = await createAnagrafe(config, { bus, logger });
const url = await service.listen(config.port, '0.0.0.0');
logger.info({ url }, 'anagrafe ready');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void service
      .close()
      .then(() => bus.close())
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  });
}
