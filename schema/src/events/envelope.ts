import { z } from 'zod';

/**
 * Who caused an event. `system` is a scheduled job or the service itself; personal identifiers
 * (a citizen's fiscal code) never go here: the actor id is a public id.
 */
export const actorSchema = z.object({
  kind: z.enum(['citizen', 'staff', 'client', 'system']),
  id: z.string().min(1).max(200),
});
export type Actor = z.infer<typeof actorSchema>;

/** ISTAT code of a comune: 6 digits (2-3 of region/province, then the comune's progressive). */
const istatLike = z.string().regex(/^\d{6}$/, 'comune must be a 6-digit ISTAT code');

/**
 * The envelope every event travels in, on every bus adapter.
 * `id` is a time-ordered UUID (v7) and doubles as the bus de-duplication key.
 */
export const envelopeSchema = z.object({
  id: z.uuid({ version: 'v7', message: 'id must be a UUID v7' }),
  type: z.string().regex(/^[a-z-]+\.[a-z-]+(\.[a-z-]+)*$/, 'type must look like "practice.submitted"'),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  comune: istatLike,
  /** The entity the event is about, as a public key (e.g. a practice id); ordering holds per subject. */
  subject: z.string().min(1).max(200),
  actor: actorSchema.nullable(),
  data: z.unknown(),
});

export type EventEnvelope<TType extends string = string, TData = unknown> = Omit<
  z.infer<typeof envelopeSchema>,
  'type' | 'data'
> & { type: TType; data: TData };
