import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';

/** Opening hours of one weekday (1 Monday ... 7 Sunday), local time `HH:MM`. */
export interface OpeningHours {
  weekday: number;
  opens: string;
  closes: string;
}

/** An office's booking calendar: slots are generated from weekly opening hours and a slot length. */
export const OfficeCalendarEntity = defineEntity({
  name: 'OfficeCalendar',
  tableName: 'office_calendar',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    office: p.string().length(60).index(),
    name: p.string().length(200),
    location: p.string().length(300),
    slotMinutes: p.integer(),
    openingHours: p.json<OpeningHours[]>(),
    /** Days the office is closed (`YYYY-MM-DD`), holidays included. */
    closedDays: p.json<string[]>(),
    /** IANA time zone of the opening hours. */
    timeZone: p.string().length(60),
  },
});
export type OfficeCalendar = InferEntity<typeof OfficeCalendarEntity>;

/**
 * A booked slot. `activeSlot` is `<calendar>@<start ISO>` while the booking stands and null once
 * cancelled: its unique constraint is what stops two bookings of one slot, whatever the race.
 */
export const AppointmentEntity = defineEntity({
  name: 'Appointment',
  tableName: 'appointment',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    calendarId: p.uuid(),
    office: p.string().length(60),
    citizenFiscalCode: p.string().length(16).index(),
    practiceId: p.uuid().nullable(),
    startsAt: p.datetime().index(),
    endsAt: p.datetime(),
    status: p.enum(['booked', 'cancelled'] as const),
    activeSlot: p.string().length(100).nullable(),
    cancelledBy: p.enum(['citizen', 'staff'] as const).nullable(),
    cancelReason: p.text().nullable(),
    reminderSentAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
  uniques: [{ properties: ['comune', 'activeSlot'] }],
});
export type Appointment = InferEntity<typeof AppointmentEntity>;
