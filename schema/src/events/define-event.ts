import type { z } from 'zod';

/** The services of Sportello behind the gateway, in the order they start (identity first: the others verify its tokens). */
export const SERVICES = [
  'identity',
  'anagrafe',
  'tributi',
  'practices',
  'civil-protection',
  'notifier',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Services that publish events: every service, and `platform`. The producer is also the third token
 * of the bus subject (`sportello.<comune>.<producer>.<type>`). `platform` stands for every service at
 * once: events written by the shared platform code in whichever service runs it (the audit trail),
 * which name that service in their data.
 */
export const PRODUCERS = [...SERVICES, 'platform'] as const;
export type Producer = (typeof PRODUCERS)[number];

/** Services that consume events, as documented in EVENTS.md. */
export const CONSUMERS = [
  'notifier',
  'gateway',
  'anagrafe',
  'tributi',
  'practices',
  'identity',
  'civil-protection',
] as const;
export type ConsumerService = (typeof CONSUMERS)[number];

/** One event type of the catalogue: everything producers and consumers must agree on. */
export interface EventDefinition<TType extends string = string, TData extends z.ZodType = z.ZodType> {
  /** `<entity>.<what-happened>`, e.g. `practice.submitted`. */
  readonly type: TType;
  /** Bumped on any change a consumer could notice; consumers reject versions they do not know. */
  readonly version: number;
  readonly producer: Producer;
  readonly consumers: readonly ConsumerService[];
  /** What happened, in one or two sentences: the line in EVENTS.md. */
  readonly description: string;
  /** Schema of `data`. Personal data is limited to fiscal codes: no names, no addresses, no contacts. */
  readonly data: TData;
}

/** Declares an event type; keeps the literal `type` so the catalogue can be keyed by it. */
export function defineEvent<const TType extends string, TData extends z.ZodType>(
  definition: EventDefinition<TType, TData>,
): EventDefinition<TType, TData> {
  return Object.freeze(definition);
}
