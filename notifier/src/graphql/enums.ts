import { registerGraphQLEnum } from '@sportello/platform';
import { NOTIFICATION_CHANNEL_ENUM, NOTIFICATION_CHANNELS } from '@sportello/schema';
import { DELIVERY_STATUSES } from '../entities/delivery.entity.js';

/** Same enum as identity's: the gateway's supergraph shares it. */
export const NotificationChannelEnum = registerGraphQLEnum(NOTIFICATION_CHANNELS, NOTIFICATION_CHANNEL_ENUM);

export const DeliveryStatusEnum = registerGraphQLEnum(DELIVERY_STATUSES, {
  name: 'DeliveryStatus',
  description:
    'PLANNED/CLAIMED: waiting; SENDING: with the provider; RETRYING: failed, will be retried; SENT; ' +
    'DEAD: gave up; UNCERTAIN: interrupted during the provider call, may or may not have arrived (staff can replay).',
  values: {
    PLANNED: 'Waiting to be sent.',
    CLAIMED: 'Picked up by a dispatcher, about to be sent.',
    SENDING: 'With the provider.',
    RETRYING: 'Failed; will be retried.',
    SENT: 'Accepted by the provider.',
    DEAD: 'Gave up after the last attempt; staff can replay it.',
    UNCERTAIN: 'Interrupted during the provider call: may or may not have arrived; staff can replay it.',
  },
});
