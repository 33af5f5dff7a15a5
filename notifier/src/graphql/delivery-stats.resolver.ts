import {
  ConnectionArgs,
  findConnection,
  requireStaff,
  withNodes,
  type Connection,
} from '@sportello/platform';
import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { NotifierContext } from '../context.js';
import { DeliveryEntity } from '../entities/delivery.entity.js';
import { NotificationEntity } from '../entities/notification.entity.js';
import { DeadLetterNotFoundError } from '../errors.js';
import type { ChannelName } from '../channels/channel.js';
import {
  DeadLetterConnectionType,
  DeadLetterType,
  DeliveryStatsConnectionType,
  DeliveryStatsType,
} from './delivery-stats.type.js';
import { NotificationChannelEnum } from './enums.js';
import { toDeadLetterType, toStatsType } from './delivery.mapper.js';

@Resolver()
export class DeliveryStatsResolver {
  @Query(() => DeliveryStatsType, {
    nullable: true,
    description: 'Staff: delivery counts of one event per channel; null when the event notified nobody.',
  })
  async deliveryStats(
    @Arg('eventId', () => ID, { description: 'Id of the event, as in its envelope.' }) eventId: string,
    @Ctx() ctx: NotifierContext,
  ): Promise<DeliveryStatsType | null> {
    requireStaff(ctx.principal);
    const notification = await ctx.em.findOne(NotificationEntity, { eventId });
    if (notification === null) return null;
    const counts = await ctx.services.store.counts([eventId], ctx.comune);
    return toStatsType(notification, counts.get(eventId));
  }

  @Query(() => DeliveryStatsConnectionType, {
    description: 'Staff: delivery counts of the latest events, newest first.',
  })
  async recentDeliveryStats(
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: NotifierContext,
  ): Promise<Connection<DeliveryStatsType>> {
    requireStaff(ctx.principal);
    const page = await findConnection(
      ctx.em,
      NotificationEntity,
      {},
      {
        // Newest first; event ids are time-ordered and break ties.
        order: [
          ['createdAt', 'desc'],
          ['eventId', 'desc'],
        ],
        first,
        after,
      },
    );
    const counts = await ctx.services.store.counts(
      page.nodes.map((n) => n.eventId),
      ctx.comune,
    );
    return withNodes(
      page,
      page.nodes.map((n) => toStatsType(n, counts.get(n.eventId))),
    );
  }

  @Query(() => DeadLetterConnectionType, {
    description: 'Admin staff: deliveries that gave up (DEAD) or were interrupted (UNCERTAIN), latest first.',
  })
  async deadLetters(
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: NotifierContext,
  ): Promise<Connection<DeadLetterType>> {
    requireStaff(ctx.principal, 'admin');
    return findConnection(
      ctx.em,
      DeliveryEntity,
      { status: { $in: ['dead', 'uncertain'] } },
      {
        order: [
          ['updatedAt', 'desc'],
          ['id', 'desc'],
        ],
        first,
        after,
        toNode: toDeadLetterType,
      },
    );
  }

  @Mutation(() => DeadLetterType, {
    description: 'Admin staff: sends a dead or uncertain delivery again, with a fresh attempt budget.',
  })
  async replayDeadLetter(
    @Arg('id', () => ID, { description: 'Id of the DEAD or UNCERTAIN delivery (DeadLetter.id).' }) id: string,
    @Ctx() ctx: NotifierContext,
  ): Promise<DeadLetterType> {
    requireStaff(ctx.principal, 'admin');
    const eventId = await ctx.services.store.replay(id, ctx.comune);
    if (eventId === null) throw new DeadLetterNotFoundError(id);
    ctx.services.nudge();
    const row = await ctx.em.findOneOrFail(DeliveryEntity, { id }, { refresh: true });
    return toDeadLetterType(row);
  }

  @Mutation(() => Int, {
    description:
      'Admin staff: sends every UNCERTAIN delivery of an event again (on one channel, or on all), with a fresh ' +
      'attempt budget. Those that did reach the person will reach them twice: check with the provider first. ' +
      'Returns how many were requeued.',
  })
  async replayUncertainDeliveries(
    @Arg('eventId', () => ID, { description: 'Id of the event, as in its envelope.' }) eventId: string,
    @Arg('channel', () => NotificationChannelEnum, {
      nullable: true,
      description: 'Only this channel; every channel when absent.',
    })
    channel: ChannelName | null | undefined,
    @Ctx() ctx: NotifierContext,
  ): Promise<number> {
    requireStaff(ctx.principal, 'admin');
    const requeued = await ctx.services.store.replayUncertain(eventId, ctx.comune, channel ?? undefined);
    if (requeued > 0) ctx.services.nudge();
    return requeued;
  }
}
