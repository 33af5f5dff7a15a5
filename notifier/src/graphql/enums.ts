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

registerEnumType(NotificationChannelEnum, {
  name: 'NotificationChannel',
  description: 'Where a notification is delivered.',
  valuesConfig: {
    EMAIL: { description: 'The citizen’s verified email address.' },
    TELEGRAM: { description: 'The Telegram chat linked to the account.' },
    IO: { description: 'The citizen’s App IO inbox.' },
  },
});
registerEnumType(DeliveryStatusEnum, {
  name: 'DeliveryStatus',
  description:
    'PLANNED/CLAIMED: waiting; SENDING: with the provider; RETRYING: failed, will be retried; SENT; ' +
    'DEAD: gave up; UNCERTAIN: interrupted during the provider call, may or may not have arrived (staff can replay).',
  valuesConfig: {
    PLANNED: { description: 'Waiting to be sent.' },
    CLAIMED: { description: 'Picked up by a dispatcher, about to be sent.' },
    SENDING: { description: 'With the provider.' },
    RETRYING: { description: 'Failed; will be retried.' },
    SENT: { description: 'Accepted by the provider.' },
    DEAD: { description: 'Gave up after the last attempt; staff can replay it.' },
    UNCERTAIN: {
      description: 'Interrupted during the provider call: may or may not have arrived; staff can replay it.',
    },
  },
});
