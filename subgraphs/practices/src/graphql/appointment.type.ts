import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AppointmentStatusEnum } from './enums.js';

@ObjectType('OpeningHours', { description: 'One opening period of a weekday, local time.' })
export class OpeningHoursType {
  @Field(() => Int, { description: '1 Monday ... 7 Sunday.' })
  weekday!: number;

  @Field({ description: 'HH:MM' })
  opens!: string;

  @Field({ description: 'HH:MM' })
  closes!: string;
}

@ObjectType('OfficeCalendar', { description: 'An office’s appointment calendar. Public.' })
export class OfficeCalendarType {
  @Field(() => ID)
  id!: string;

  @Field()
  office!: string;

  @Field()
  name!: string;

  @Field()
  location!: string;

  @Field(() => Int)
  slotMinutes!: number;

  @Field(() => [OpeningHoursType])
  openingHours!: OpeningHoursType[];

  @Field(() => [String], { description: 'Days the office is closed, YYYY-MM-DD.' })
  closedDays!: string[];

  @Field()
  timeZone!: string;
}

@ObjectType('AppointmentSlot')
export class SlotType {
  @Field()
  startsAt!: Date;

  @Field()
  endsAt!: Date;

  @Field()
  available!: boolean;
}

@ObjectType('Appointment', { description: 'A booked (or cancelled) office appointment.' })
export class AppointmentType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  calendarId!: string;

  @Field()
  office!: string;

  @Field()
  startsAt!: Date;

  @Field()
  endsAt!: Date;

  @Field(() => AppointmentStatusEnum)
  status!: string;

  @Field(() => ID, { nullable: true })
  practiceId!: string | null;

  @Field(() => String, { nullable: true })
  cancelReason!: string | null;
}
