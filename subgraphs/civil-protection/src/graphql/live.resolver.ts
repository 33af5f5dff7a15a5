import { ConflictError } from '@sportello/platform';
import { Resolver, Root, Subscription } from 'type-graphql';
import { AlertType } from './alert.type.js';
import { OrdinanceType } from './ordinance.type.js';

/**
 * The subscriptions are declared here so the supergraph has them, but the gateway serves them from
 * the bus: a client that reaches this subgraph directly is told where to go.
 */
function servedByGateway(): never {
  throw new ConflictError(
    'Subscribe through the gateway: this subgraph does not serve subscriptions itself',
    {
      reason: 'SERVED_BY_GATEWAY',
    },
  );
}

@Resolver()
export class LiveResolver {
  @Subscription(() => AlertType, {
    description:
      'Public: every alert of the comune as it is issued, updated or cancelled. Served by the gateway from ' +
      '`alert.issued`, `alert.updated` and `alert.cancelled` events, each resolved through alert(id). Anonymous ' +
      'subscribers name their comune with `x-comune` (connection header or parameter `comune`).',
    subscribe: servedByGateway,
  })
  alertChanged(@Root() alert: AlertType): AlertType {
    return alert;
  }

  @Subscription(() => OrdinanceType, {
    description:
      'Public: every ordinance of the comune as it is published on the Albo Pretorio. Served by the gateway from ' +
      '`ordinance.published` events, each resolved through ordinance(id).',
    subscribe: servedByGateway,
  })
  ordinancePublished(@Root() ordinance: OrdinanceType): OrdinanceType {
    return ordinance;
  }
}
