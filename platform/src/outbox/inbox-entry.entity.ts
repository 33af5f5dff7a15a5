import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * Marks an event as processed by one consumer. The composite primary key is what makes
 * `handleOnce` safe against concurrent duplicate deliveries: the second insert violates it.
 */
export const InboxEntry = defineEntity({
  name: 'InboxEntry',
  tableName: 'inbox_entry',
  properties: {
    consumer: p.string().length(100).primary(),
    eventId: p.uuid().primary(),
    processedAt: p.datetime(3),
  },
});

export type InboxEntry = InferEntity<typeof InboxEntry>;
