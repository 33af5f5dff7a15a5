import { connectionType } from '@sportello/platform';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DeliveryStatusEnum, NotificationChannelEnum } from './enums.js';

@ObjectType('ChannelDeliveryStats', { description: 'Delivery counts of one event on one channel.' })
export class ChannelDeliveryStatsType {
  @Field(() => NotificationChannelEnum, { description: 'The channel counted.' })
  channel!: string;

  @Field(() => Int, { description: 'Not sent yet (planned, claimed or with the provider).' })
  planned!: number;

  @Field(() => Int, { description: 'Handed to the provider successfully.' })
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
  @Field(() => ID, { description: 'The event that caused the notifications.' })
  eventId!: string;

  @Field(() => String, { description: 'Catalogue type of the event, e.g. civil-protection.alert-issued.' })
  eventType!: string;

  @Field(() => Date, { description: 'When the notifier planned the deliveries of the event.' })
  createdAt!: Date;

  @Field(() => [ChannelDeliveryStatsType], {
    description: 'One entry per channel the event was delivered on.',
  })
  channels!: ChannelDeliveryStatsType[];
}

@ObjectType('DeadLetter', { description: 'A delivery that gave up or was interrupted, for staff to replay.' })
export class DeadLetterType {
  @Field(() => ID, { description: 'Identifier of the delivery; pass it to replayDeadLetter.' })
  id!: string;

  @Field(() => ID, { description: 'The event the delivery belongs to.' })
  eventId!: string;

  @Field(() => String, { description: 'Catalogue type of the event.' })
  eventType!: string;

  @Field(() => NotificationChannelEnum, { description: 'The channel the delivery was for.' })
  channel!: string;

  @Field(() => DeliveryStatusEnum, { description: 'DEAD or UNCERTAIN.' })
  status!: string;

  @Field(() => Int, { description: 'How many times sending was tried.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (no personal data).' })
  lastError!: string | null;

  @Field(() => Date, { description: 'When the delivery last changed status.' })
  updatedAt!: Date;
}

export const DeliveryStatsConnectionType = connectionType(DeliveryStatsType, 'DeliveryStats', 'events');
export const DeadLetterConnectionType = connectionType(DeadLetterType, 'DeadLetter', 'deliveries');
