import { registerEnumType } from 'type-graphql';

/** GraphQL names of the channels, mapped to the domain values (same enum as identity's). */
export const NotificationChannelEnum = { EMAIL: 'email', TELEGRAM: 'telegram', IO: 'io' } as const;

/** GraphQL names of the delivery states. */
export const DeliveryStatusEnum = {
  PLANNED: 'planned',
  CLAIMED: 'claimed',
  SENDING: 'sending',
  RETRYING: 'retrying',
  SENT: 'sent',
  DEAD: 'dead',
  UNCERTAIN: 'uncertain',
} as const;

registerEnumType(NotificationChannelEnum, { name: 'NotificationChannel' });
registerEnumType(DeliveryStatusEnum, {
  name: 'DeliveryStatus',
  description:
    'PLANNED/CLAIMED: waiting; SENDING: with the provider; RETRYING: failed, will be retried; SENT; ' +
    'DEAD: gave up; UNCERTAIN: interrupted during the provider call, may or may not have arrived (staff can replay).',
});
