import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DeliveryStatusEnum, NotificationChannelEnum } from './enums.js';

@ObjectType('NotificationDelivery', { description: 'One message on one channel, and how it went.' })
export class NotificationDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => NotificationChannelEnum)
  channel!: string;

  @Field(() => DeliveryStatusEnum)
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Date, { nullable: true })
  sentAt!: Date | null;

  @Field(() => Date)
  updatedAt!: Date;
}

@ObjectType('NotificationMessage', { description: 'What the comune told the citizen about one event.' })
export class NotificationMessageType {
  @Field(() => ID, { description: 'The event the message is about.' })
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => String, { description: 'The message subject, in the language it was sent in.' })
  subject!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => [NotificationDeliveryType])
  deliveries!: NotificationDeliveryType[];
}
