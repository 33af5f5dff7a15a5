/** Booking office appointments: one active booking per slot, enforced by a unique constraint. */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  recordEvent,
  type EntityManager,
  addDays,
  civilDate,
} from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import {
  AppointmentEntity,
  OfficeCalendarEntity,
  type Appointment,
  type OfficeCalendar,
} from '../entities/appointment.entity.js';
import {
  appointmentBookedEvent,
  appointmentCancelledEvent,
  appointmentChangedEvent,
} from '../events/appointment-events.js';
import { slotAt, slotsOfDay, type Slot } from './slots.js';
import { citizenConcerned, type CitizenCaller } from './access.js';
import { findPractice } from './practice-operations.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How far ahead citizens may book. */
export const BOOKING_HORIZON_DAYS = 90;

export async function findCalendar(em: EntityManager, id: string): Promise<OfficeCalendar> {
  const calendar = UUID.test(id) ? await em.findOne(OfficeCalendarEntity, { id }) : null;
  if (calendar === null) throw new NotFoundError(`No office calendar with id ${id}`, { field: 'calendarId' });
  return calendar;
}

const slotKey = (calendarId: string, startsAt: Date) => `${calendarId}@${startsAt.toISOString()}`;

/** A slot of the calendar, still ahead and within the horizon. @throws BadUserInputError */
function bookableSlot(calendar: OfficeCalendar, startsAt: Date, now: Date): Slot {
  const slot = slotAt(calendar, startsAt);
  if (slot === undefined) {
    throw new BadUserInputError(
      `${startsAt.toISOString()} is not the start of a slot of ${calendar.name}: pick one from availableSlots`,
      { field: 'startsAt' },
    );
  }
  if (slot.startsAt <= now)
    throw new BadUserInputError('That slot has already started', { field: 'startsAt' });
  if (slot.startsAt.getTime() > now.getTime() + BOOKING_HORIZON_DAYS * 86_400_000) {
    throw new BadUserInputError(`Slots can be booked up to ${BOOKING_HORIZON_DAYS} days ahead`, {
      field: 'startsAt',
    });
  }
  return slot;
}

function slotTaken(startsAt: Date): ConflictError {
  return new ConflictError(`The slot at ${startsAt.toISOString()} is already booked: pick another one`, {
    reason: 'SLOT_TAKEN',
  });
}

/** Flushes a booking change; a lost race on the slot's unique key becomes SLOT_TAKEN. */
async function flushBooking(em: EntityManager, startsAt: Date): Promise<void> {
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      em.clear();
      throw slotTaken(startsAt);
    }
    throw error;
  }
}

/** The slots of `days` local days from `from`, each with whether it is still free. */
export async function availableSlots(
  em: EntityManager,
  calendar: OfficeCalendar,
  from: string,
  days: number,
  now: Date,
) {
  const slots = Array.from({ length: days }, (_, i) => slotsOfDay(calendar, addDays(from, i))).flat();
  if (slots.length === 0) return [];
  const booked = await em.find(
    AppointmentEntity,
    {
      calendarId: calendar.id,
      activeSlot: { $ne: null },
      startsAt: { $gte: slots[0]!.startsAt, $lte: slots.at(-1)!.startsAt },
    },
    { fields: ['startsAt'] },
  );
  const taken = new Set(booked.map((b) => b.startsAt.getTime()));
  return slots.map((slot) => ({
    ...slot,
    available: slot.startsAt > now && !taken.has(slot.startsAt.getTime()),
  }));
}

/**
 * Books a slot for the citizen (optionally for one of their practices).
 * @throws ConflictError `SLOT_TAKEN` when someone else has it, even at the same instant
 */
export async function book(
  em: EntityManager,
  comune: string,
  caller: CitizenCaller,
  actor: Actor,
  input: { calendarId: string; startsAt: Date; practiceId?: string | null },
  now: Date,
): Promise<Appointment> {
  const calendar = await findCalendar(em, input.calendarId);
  const slot = bookableSlot(calendar, input.startsAt, now);
  if (input.practiceId != null) {
    const practice = await findPractice(em, input.practiceId);
    if (practice === null || !citizenConcerned(caller, practice)) {
      throw new NotFoundError(`No practice with id ${input.practiceId}`, { field: 'practiceId' });
    }
  }
  const appointment = em.create(AppointmentEntity, {
    comune,
    calendarId: calendar.id,
    office: calendar.office,
    citizenFiscalCode: caller.fiscalCode.toUpperCase(),
    practiceId: input.practiceId ?? null,
    startsAt: slot.startsAt,
    endsAt: slot.endsAt,
    status: 'booked',
    activeSlot: slotKey(calendar.id, slot.startsAt),
    cancelledBy: null,
    cancelReason: null,
    reminderSentAt: null,
    createdAt: now,
    updatedAt: now,
  });
  recordEvent(em, appointmentBookedEvent(appointment, actor, now));
  await flushBooking(em, slot.startsAt);
  return appointment;
}

function assertActive(appointment: Appointment, now: Date): void {
  if (appointment.status !== 'booked') {
    throw new ConflictError(`Appointment ${appointment.id} is cancelled`, {
      reason: 'APPOINTMENT_CANCELLED',
      status: appointment.status,
    });
  }
  if (appointment.startsAt <= now) {
    throw new ConflictError(`Appointment ${appointment.id} has already started`, {
      reason: 'APPOINTMENT_PAST',
    });
  }
}

/** An appointment of the comune. @throws NotFoundError */
export async function findAppointment(em: EntityManager, id: string): Promise<Appointment> {
  const appointment = UUID.test(id) ? await em.findOne(AppointmentEntity, { id }) : null;
  if (appointment === null) throw new NotFoundError(`No appointment with id ${id}`);
  return appointment;
}

/** The citizen's own appointment, or NOT_FOUND. */
export async function citizenAppointment(
  em: EntityManager,
  caller: CitizenCaller,
  id: string,
): Promise<Appointment> {
  const appointment = UUID.test(id) ? await em.findOne(AppointmentEntity, { id }) : null;
  if (
    appointment === null ||
    !citizenConcerned(caller, { applicantFiscalCode: appointment.citizenFiscalCode })
  ) {
    throw new NotFoundError(`No appointment with id ${id}`);
  }
  return appointment;
}

/** Moves a booking to another free slot of the same calendar; the old slot is freed. */
export async function move(
  em: EntityManager,
  appointment: Appointment,
  actor: Actor,
  startsAt: Date,
  now: Date,
) {
  assertActive(appointment, now);
  const calendar = await findCalendar(em, appointment.calendarId);
  const slot = bookableSlot(calendar, startsAt, now);
  const previous = appointment.startsAt;
  appointment.startsAt = slot.startsAt;
  appointment.endsAt = slot.endsAt;
  appointment.activeSlot = slotKey(calendar.id, slot.startsAt);
  appointment.reminderSentAt = null;
  appointment.updatedAt = now;
  recordEvent(em, appointmentChangedEvent(appointment, previous, actor, now));
  await flushBooking(em, slot.startsAt);
  return appointment;
}

/** Longest reason for a cancellation: `appointment.cancelled` carries it whole, up to 1000 characters. */
export const MAX_CANCEL_REASON = 1000;

/** Cancels a booking, by the citizen or by the office; the slot is free again at once. */
export async function cancel(
  em: EntityManager,
  appointment: Appointment,
  by: 'citizen' | 'staff',
  actor: Actor,
  reason: string | null | undefined,
  now: Date,
) {
  const note = reason?.trim() ? reason.trim() : null;
  if (note !== null && note.length > MAX_CANCEL_REASON) {
    throw new BadUserInputError(
      `reason is too long: ${note.length} characters, ${MAX_CANCEL_REASON} at most (shorten it; nothing is cut)`,
      { field: 'reason' },
    );
  }
  assertActive(appointment, now);
  appointment.status = 'cancelled';
  appointment.activeSlot = null;
  appointment.cancelledBy = by;
  appointment.cancelReason = note;
  appointment.updatedAt = now;
  recordEvent(em, appointmentCancelledEvent(appointment, by, note, actor, now));
  await em.flush();
  return appointment;
}

/** Today in the calendar's zone, for "from" defaults. */
export function today(now: Date, timeZone: string): string {
  return civilDate(now, timeZone);
}
