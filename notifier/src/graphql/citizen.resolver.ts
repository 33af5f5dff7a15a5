import { assertCanRead } from '@sportello/platform';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { DeliveryEntity, PUBLIC_RECIPIENT } from '../entities/delivery.entity.js';
import { NotificationEntity } from '../entities/notification.entity.js';
import { renderMessage } from '../templates/render-template.js';
import type { NotifierContext } from '../context.js';
import { CitizenType } from './citizen.type.js';
import { toDeliveryType } from './delivery.mapper.js';
import { NotificationMessageType } from './notification.type.js';

const MAX_MESSAGES = 100;

@Resolver(() => CitizenType)
export class CitizenNotificationsResolver {
  @FieldResolver(() => [NotificationMessageType], {
    nullable: true,
    description:
      'Messages sent to this citizen, newest first, with the status of each channel. Requires: self, ' +
      'delegate, or an app with the "notifications" scope. Null with a FORBIDDEN error for anyone else: the ' +
      'rest of the answer stands.',
  })
  async notifications(
    @Root() citizen: CitizenType,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many messages to return, 1 to 100.' })
    first: number,
    @Ctx() ctx: NotifierContext,
  ): Promise<NotificationMessageType[] | null> {
    assertCanRead(ctx.principal, citizen.fiscalCode, { scope: 'notifications' });
    const limit = Math.max(1, Math.min(first, MAX_MESSAGES));
    const deliveries = await ctx.em.find(
      DeliveryEntity,
      { fiscalCode: citizen.fiscalCode, recipientKey: { $ne: PUBLIC_RECIPIENT } },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit * 3 },
    );
    const byEvent = new Map<string, typeof deliveries>();
    for (const delivery of deliveries) {
      if (!byEvent.has(delivery.eventId) && byEvent.size >= limit) continue;
      byEvent.set(delivery.eventId, [...(byEvent.get(delivery.eventId) ?? []), delivery]);
    }
    const notifications = await ctx.em.find(NotificationEntity, { eventId: { $in: [...byEvent.keys()] } });
    const byId = new Map(notifications.map((n) => [n.eventId, n]));
    return [...byEvent].flatMap(([eventId, rows]) => {
      const notification = byId.get(eventId);
      if (!notification) return [];
      const language = rows[0]!.language;
      const subject = renderMessage(notification.messages[language] ?? notification.messages.it, {
        language,
        comuneName: ctx.services.comuneName(notification.comune),
      }).subject;
      return [
        Object.assign(new NotificationMessageType(), {
          eventId,
          eventType: notification.eventType,
          subject,
          createdAt: new Date(notification.createdAt),
          deliveries: rows.map(toDeliveryType),
        }),
      ];
    });
  }
}

/** Federation: the gateway hands over `Citizen { fiscalCode }`; the field resolvers check access. */
export function resolveCitizenReference(reference: { fiscalCode: string }): CitizenType {
  return Object.assign(new CitizenType(), { fiscalCode: reference.fiscalCode });
}
