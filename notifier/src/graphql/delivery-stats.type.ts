import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DeliveryStatusEnum, NotificationChannelEnum } from './enums.js';

@ObjectType('ChannelDeliveryStats')
export class ChannelDeliveryStatsType {
  @Field(() => NotificationChannelEnum)
  channel!: string;

  @Field(() => Int, { description: 'Not sent yet (planned, claimed or with the provider).' })
  planned!: number;

  @Field(() => Int)
  sent!: number;

  @Field(() => Int, { description: 'Failed, will be retried.' })
  failed!: number;

  @Field(() => Int, { description: 'Gave up: in the dead-letter list.' })
  dead!: number;

  @Field(() => Int, { description: 'Interrupted during the provider call: staff should check.' })
  uncertain!: number;
}

@ObjectType('DeliveryStats', { description: 'Deliveries of one event, per channel (no personal data).' })
export class DeliveryStatsType {
  @Field(() => ID)
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => [ChannelDeliveryStatsType])
  channels!: ChannelDeliveryStatsType[];
}

@ObjectType('DeadLetter', { description: 'A delivery that gave up or was interrupted, for staff to replay.' })
export class DeadLetterType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => NotificationChannelEnum)
  channel!: string;

  @Field(() => DeliveryStatusEnum)
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (no personal data).' })
  lastError!: string | null;

  @Field(() => Date)
  updatedAt!: Date;
}
