import { servedByGateway } from '@sportello/platform';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { DeliveryStatsType } from './delivery-stats.type.js';

@Resolver()
export class LiveResolver {
  @Subscription(() => DeliveryStatsType, {
    description:
      'Staff: delivery counts as they move, for live dashboards; of one event with `eventId`, else of every event. ' +
      'Served by the gateway from `delivery.stats-changed` events, each resolved through deliveryStats(eventId).',
    subscribe: servedByGateway,
  })
  deliveryStatsChanged(
    @Root() stats: DeliveryStatsType,
    @Arg('eventId', () => ID, { nullable: true, description: 'Only this event’s deliveries.' })
    _eventId?: string | null,
  ): DeliveryStatsType {
    return stats;
  }
}
