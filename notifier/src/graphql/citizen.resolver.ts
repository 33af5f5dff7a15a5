import {
  ConnectionArgs,
  assertCanRead,
  findConnection,
  withNodes,
  type Connection,
} from '@sportello/platform';
import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { DeliveryEntity, PUBLIC_RECIPIENT } from '../entities/delivery.entity.js';
import { NotificationEntity } from '../entities/notification.entity.js';
import { renderMessage } from '../templates/render-template.js';
import type { NotifierContext } from '../context.js';
import { CitizenType } from './citizen.type.js';
import { toDeliveryType } from './delivery.mapper.js';
import { NotificationMessageConnectionType, NotificationMessageType } from './notification.type.js';

@Resolver(() => CitizenType)
export class CitizenNotificationsResolver {
  @FieldResolver(() => NotificationMessageConnectionType, {
    nullable: true,
    description:
      'Messages sent to this citizen, newest first, with the status of each channel. Requires: self, ' +
      'delegate, or an app with the "notifications" scope. Null with a FORBIDDEN error for anyone else: the ' +
      'rest of the answer stands.',
  })
  async notifications(
    @Root() citizen: CitizenType,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: NotifierContext,
  ): Promise<Connection<NotificationMessageType> | null> {
    assertCanRead(ctx.principal, citizen.fiscalCode, { scope: 'notifications' });
    const mine = { fiscalCode: citizen.fiscalCode, recipientKey: { $ne: PUBLIC_RECIPIENT } };
    // The events that reached the citizen (one delivery per channel each), then a page of them.
    const reached = await ctx.em.find(DeliveryEntity, mine, { fields: ['eventId'] });
    const page = await findConnection(
      ctx.em,
      NotificationEntity,
      { eventId: { $in: [...new Set(reached.map((row) => row.eventId))] } },
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
    const deliveries = await ctx.em.find(
      DeliveryEntity,
      { ...mine, eventId: { $in: page.nodes.map((n) => n.eventId) } },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return withNodes(
      page,
      page.nodes.map((notification) => {
        const rows = deliveries.filter((delivery) => delivery.eventId === notification.eventId);
        const language = rows[0]?.language ?? 'it';
        const subject = renderMessage(notification.messages[language] ?? notification.messages.it, {
          language,
          comuneName: ctx.services.comuneName(notification.comune),
        }).subject;
        return Object.assign(new NotificationMessageType(), {
          eventId: notification.eventId,
          eventType: notification.eventType,
          subject,
          createdAt: new Date(notification.createdAt),
          deliveries: rows.map(toDeliveryType),
        });
      }),
    );
  }
}

/** Federation: the gateway hands over `Citizen { fiscalCode }`; the field resolvers check access. */
export function resolveCitizenReference(reference: { fiscalCode: string }): CitizenType {
  return Object.assign(new CitizenType(), { fiscalCode: reference.fiscalCode });
}
