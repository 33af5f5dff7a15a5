import { createEvent, type Actor } from '@sportello/schema';
import type { Appointment } from '../entities/appointment.entity.js';

function appointmentFields(appointment: Appointment) {
  return {
    appointmentId: appointment.id,
    office: appointment.office,
    citizenFiscalCode: appointment.citizenFiscalCode,
    startsAt: appointment.startsAt.toISOString(),
    endsAt: appointment.endsAt.toISOString(),
    practiceId: appointment.practiceId ?? null,
  };
}

const envelope = (appointment: Appointment, actor: Actor | null, occurredAt: Date) => ({
  comune: appointment.comune,
  subject: appointment.id,
  actor,
  occurredAt,
});

export function appointmentBookedEvent(appointment: Appointment, actor: Actor, at: Date) {
  return createEvent('appointment.booked', {
    ...envelope(appointment, actor, at),
    data: appointmentFields(appointment),
  });
}

export function appointmentChangedEvent(
  appointment: Appointment,
  previousStartsAt: Date,
  actor: Actor,
  at: Date,
) {
  return createEvent('appointment.changed', {
    ...envelope(appointment, actor, at),
    data: { ...appointmentFields(appointment), previousStartsAt: previousStartsAt.toISOString() },
  });
}

export function appointmentCancelledEvent(
  appointment: Appointment,
  cancelledBy: 'citizen' | 'staff',
  reason: string | null,
  actor: Actor,
  at: Date,
) {
  return createEvent('appointment.cancelled', {
    ...envelope(appointment, actor, at),
    data: { ...appointmentFields(appointment), cancelledBy, ...(reason === null ? {} : { reason }) },
  });
}

export function appointmentReminderEvent(appointment: Appointment, at: Date) {
  const offsetHours = Math.max(0, Math.floor((appointment.startsAt.getTime() - at.getTime()) / 3_600_000));
  return createEvent('appointment.reminder', {
    ...envelope(appointment, { kind: 'system', id: 'appointment-reminders' }, at),
    data: { ...appointmentFields(appointment), offsetHours },
  });
}
