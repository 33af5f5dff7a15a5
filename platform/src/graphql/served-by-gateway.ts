import { ConflictError } from '../errors/client-errors.js';

/**
 * The `subscribe` of every subgraph subscription. Subscriptions are declared in the subgraphs so the
 * supergraph has them, but the gateway serves them from the bus: a client that reaches a subgraph
 * directly is told where to go (CONFLICT, reason `SERVED_BY_GATEWAY`).
 *
 * ```ts
 * @Subscription(() => AlertUpdateType, { description: '…', subscribe: servedByGateway })
 * ```
 */
export function servedByGateway(): never {
  throw new ConflictError(
    'Subscribe through the gateway: this subgraph does not serve subscriptions itself',
    {
      reason: 'SERVED_BY_GATEWAY',
    },
  );
}
