import { connectionType } from '@sportello/platform';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DeliveryStatusEnum, NotificationChannelEnum } from './enums.js';

@ObjectType('NotificationDelivery', { description: 'One message on one channel, and how it went.' })
export class NotificationDeliveryType {
  @Field(() => ID, { description: 'Identifier of the delivery.' })
  id!: string;

  @Field(() => NotificationChannelEnum, { description: 'The channel the message went to.' })
  channel!: string;

  @Field(() => DeliveryStatusEnum, { description: 'Where the delivery stands.' })
  status!: string;

  @Field(() => Int, { description: 'How many times sending was tried.' })
  attempts!: number;

  @Field(() => Date, {
    nullable: true,
    description: 'When the provider accepted the message; null until sent.',
  })
  sentAt!: Date | null;

  @Field(() => Date, { description: 'When the delivery last changed status.' })
  updatedAt!: Date;
}

@ObjectType('NotificationMessage', { description: 'What the comune told the citizen about one event.' })
export class NotificationMessageType {
  @Field(() => ID, { description: 'The event the message is about.' })
  eventId!: string;

  @Field(() => String, { description: 'Catalogue type of the event, e.g. practices.status-changed.' })
  eventType!: string;

  @Field(() => String, { description: 'The message subject, in the language it was sent in.' })
  subject!: string;

  @Field(() => Date, { description: 'When the message was planned.' })
  createdAt!: Date;

  @Field(() => [NotificationDeliveryType], {
    description: 'One delivery per channel the message was sent on.',
  })
  deliveries!: NotificationDeliveryType[];
}

export const NotificationMessageConnectionType = connectionType(
  NotificationMessageType,
  'NotificationMessage',
  'messages',
);
