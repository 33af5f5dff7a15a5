import { z } from 'zod';

/**
 * Field schemas shared by several event types, so the same thing is spelt the same way in every
 * event.
 */

/** A public identifier of an entity (never a database row id). */
export const publicId = z.string().min(1).max(200);

/** A calendar day, `YYYY-MM-DD`. */
export const isoDate = z.iso.date();

/** An instant with its offset, `2026-03-01T09:30:00Z`. */
export const isoDateTime = z.iso.datetime({ offset: true });

/** An office of the comune (`anagrafe`, `tributi`, `practices`, `suap`, `civil-protection`...). */
export const officeName = z.string().regex(/^[a-z][a-z-]{0,59}$/, 'office must be a lower-case office name');

/** A zone of the comune's territory (an alert zone or an area of the plan), as its code. */
export const zoneCode = z.string().min(1).max(50);

/** An amount in euro cents, as accepted on a pagoPA notice. */
export const amountCents = z.number().int().min(1).max(9_999_999_999);

/** Days before (or after) a date that a reminder refers to. */
export const offsetDays = z.number().int().min(0).max(366);

/** Free text written by staff for the citizen; kept short, it travels in notifications. */
export const staffNote = z.string().min(1).max(1000);
