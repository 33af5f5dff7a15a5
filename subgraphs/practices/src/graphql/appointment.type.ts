import { connectionType } from '@sportello/platform';
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
  @Field(() => ID, { description: 'Identifier of the calendar.' })
  id!: string;

  @Field({
    description: 'The office that receives the appointments (practices, suap, anagrafe, tributi...).',
  })
  office!: string;

  @Field({ description: 'Name of the calendar, e.g. the service offered.' })
  name!: string;

  @Field({ description: 'Where the appointment takes place.' })
  location!: string;

  @Field(() => Int, { description: 'Length of one appointment, in minutes.' })
  slotMinutes!: number;

  @Field(() => [OpeningHoursType], { description: 'Opening periods in a week.' })
  openingHours!: OpeningHoursType[];

  @Field(() => [String], { description: 'Days the office is closed, YYYY-MM-DD.' })
  closedDays!: string[];

  @Field({ description: 'IANA time zone of the opening hours, e.g. Europe/Rome.' })
  timeZone!: string;
}

@ObjectType('AppointmentSlot', { description: 'An appointment slot of a calendar.' })
export class SlotType {
  @Field({ description: 'When the slot starts.' })
  startsAt!: Date;

  @Field({ description: 'When the slot ends.' })
  endsAt!: Date;

  @Field({ description: 'True when nobody has booked it.' })
  available!: boolean;
}

@ObjectType('Appointment', { description: 'A booked (or cancelled) office appointment.' })
export class AppointmentType {
  @Field(() => ID, { description: 'Identifier of the appointment.' })
  id!: string;

  @Field(() => ID, { description: 'The calendar it was booked on.' })
  calendarId!: string;

  @Field({ description: 'The office the appointment is with.' })
  office!: string;

  @Field({ description: 'When the appointment starts.' })
  startsAt!: Date;

  @Field({ description: 'When the appointment ends.' })
  endsAt!: Date;

  @Field(() => AppointmentStatusEnum, { description: 'Booked or cancelled.' })
  status!: string;

  @Field(() => ID, { nullable: true, description: 'The practice the appointment is about; null when none.' })
  practiceId!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was cancelled; null unless cancelled.' })
  cancelReason!: string | null;
}

export const AppointmentConnectionType = connectionType(AppointmentType, 'Appointment', 'appointments');
