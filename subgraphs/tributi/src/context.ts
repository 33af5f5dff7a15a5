import { type DatabaseRequestContext, type EntityManager, civilDate } from '@sportello/platform';
import type { BulkJobRunner } from './domain/bulk-jobs.js';
import type { FineRules } from './domain/fines.js';
import { creditorOf, type CreditorProfile } from './domain/notice-numbers.js';

/** Who may deliver payment receipts (see README, "Payment receipts"). */
export interface PaymentProviders {
  /** `service` principals (internal Sportello callers) by service name. @default ['pagopa'] */
  services: readonly string[];
  /** Third-party API clients (client credentials, no citizen grant) by client id. */
  clients: readonly string[];
}

/** Settings resolvers need besides the database. */
export interface TributiSettings {
  fineRules: FineRules;
  providers: PaymentProviders;
  /** Lock rows explicitly (PostgreSQL); SQLite serialises writers already. */
  lockRows: boolean;
}

/** What every tributi resolver receives. */
export interface TributiContext extends DatabaseRequestContext<EntityManager> {
  /** The request's clock: one instant for every rule checked in the request. */
  now: Date;
  /** `now` as an Italian calendar day, `YYYY-MM-DD`. */
  today: string;
  settings: TributiSettings;
  bulkJobs: BulkJobRunner;
  /** The comune's creditor profile, loaded once per request on first use. */
  creditor(): Promise<CreditorProfile>;
}

/** Extends the platform's request context with the clock, settings and the creditor profile. */
export function createTributiContext(
  base: DatabaseRequestContext<EntityManager>,
  settings: TributiSettings,
  bulkJobs: BulkJobRunner,
  now: Date = new Date(),
): TributiContext {
  let creditor: Promise<CreditorProfile> | undefined;
  return {
    ...base,
    now,
    today: civilDate(now),
    settings,
    bulkJobs,
    creditor: () => (creditor ??= creditorOf(base.em, base.comune)),
  };
}
