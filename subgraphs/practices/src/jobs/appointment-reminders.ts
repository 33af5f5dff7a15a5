import {
  everyMinutes,
  recordEvent,
  type Database,
  type ScheduledJob,
  addDays,
  civilDate,
  zonedInstant,
} from '@sportello/platform';
import { AppointmentEntity } from '../entities/appointment.entity.js';
import { appointmentReminderEvent } from '../events/appointment-events.js';

/**
 * Emits `appointment.reminder` once for every booked appointment starting before the end of
 * tomorrow (in `timeZone`), across comuni: the day before, or at once for one booked later than that. The reminder is claimed with a conditional update (`reminder_sent_at is null`) in
 * the transaction that records the event, so replicas running the job together send each once.
 *
 * @returns how many reminders were recorded
 */
export async function sendAppointmentReminders(
  database: Database,
  now: Date,
  timeZone: string,
): Promise<number> {
  const tomorrow = addDays(civilDate(now, timeZone), 1);
  const until = zonedInstant(addDays(tomorrow, 1), '00:00', timeZone);
  const em = database.forkUnscoped();
  const due = await em.find(
    AppointmentEntity,
    { status: 'booked', reminderSentAt: null, startsAt: { $gt: now, $lt: until } },
    { orderBy: { startsAt: 'asc' }, limit: 1000 },
  );
  let sent = 0;
  for (const appointment of due) {
    const claimed = await em.transactional(async (tx) => {
      const updated = await tx.nativeUpdate(
        AppointmentEntity,
        { id: appointment.id, reminderSentAt: null, status: 'booked' },
        { reminderSentAt: now },
      );
      if (updated !== 1) return false;
      recordEvent(tx, appointmentReminderEvent(appointment, now));
      return true;
    });
    if (claimed) sent += 1;
  }
  return sent;
}

/**
 * The reminder job for the platform scheduler, every `intervalMs` (whole minutes; 0: only when
 * asked), aligned on the hour.
 */
export function appointmentRemindersJob(
  database: Database,
  intervalMs: number,
  timeZone: string,
): ScheduledJob {
  if (intervalMs % 60_000 !== 0) {
    throw new RangeError(`the reminder interval must be whole minutes, got ${intervalMs} ms`);
  }
  return {
    name: 'appointment-reminders',
    schedule: everyMinutes(intervalMs / 60_000),
    run: ({ now }) => sendAppointmentReminders(database, now, timeZone),
  };
}
