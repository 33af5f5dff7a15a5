import type { Consumer, EventBus } from '../bus/event-bus.js';
import type { Database } from '../database/database.js';
import type { Logger } from '../logging/logger.js';
import type { SubgraphWorker } from './subgraph-runtime.js';

/** What a service's bus consumer starts from: the bus, the service's database (with its inbox), its logger. */
export interface ServiceConsumerSetup {
  bus: EventBus;
  database: Database;
  logger: Logger;
}

/**
 * A service worker that runs one bus consumer: started once with the service, stopped with it.
 *
 * @example
 * workers: [consumerWorker(() => startPaymentConsumer({ bus, database, logger }))]
 */
export function consumerWorker(startConsumer: () => Promise<Consumer>): SubgraphWorker {
  let consumer: Consumer | undefined;
  return {
    async start() {
      consumer ??= await startConsumer();
    },
    stop: () => consumer?.stop(),
  };
}
