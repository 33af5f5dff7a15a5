import type { Consumer } from '../bus/event-bus.js';
import type { SubgraphWorker } from './subgraph-runtime.js';

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
