import 'reflect-metadata';
import {
  consumerWorker,
  createJobScheduler,
  createSubgraphRuntime,
  identityCheckedCallers,
  openServiceDatabase,
  type AuditSink,
  type Database,
  type EventBus,
  type JwksSource,
  type Logger,
  auditFlushPlugin,
  createOutboxAuditSink,
} from '@sportello/platform';
import type { PracticesConfig } from './config.js';
import { createPracticesContext, type PracticesContext } from './context.js';
import { createTerritoryCache } from './domain/territory-cache.js';
import { PRACTICES_ENTITIES } from './entities/index.js';
import { startPaymentConsumer } from './events/payment-consumer.js';
import { buildPracticesSchema } from './graphql/schema.js';
import { attachmentRoutes } from './http/attachment-routes.js';
import { appointmentRemindersJob, sendAppointmentReminders } from './jobs/appointment-reminders.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

export { loadPracticesConfig, PRACTICES_ENV_VARIABLES } from './config.js';
export { seedPractices, setUpPracticeTypes } from './seed/index.js';

/** What the service needs from its host. */
export interface PracticesDeps {
  /** Where the outbox relay publishes practice, appointment and report events. */
  bus: EventBus;
  logger: Logger;
  /** The token issuer's keys, when the host has them (embedded mode, tests); else `config.jwksUrl`. */
  jwks?: JwksSource;
  /** Where staff reads of personal data are recorded. @default a logging sink */
  audit?: AuditSink;
}

/** A running-ready practices service. */
export interface Practices {
  readonly database: Database;
  /** Migrates, starts the outbox relay and the reminder job, and listens. Port 0 picks a free port. @returns the base URL */
  listen(port: number, host?: string): Promise<string>;
  /** Publishes pending outbox events now (tests, graceful shutdown). @returns how many were published */
  flushOutbox(): Promise<number>;
  /** Runs the reminder job once at `now` (the timer does it every `reminderIntervalMs`). @returns reminders recorded */
  runReminders(now?: Date): Promise<number>;
  close(): Promise<void>;
}

/**
 * Creates the practices subgraph: GraphQL on `/graphql`, attachment upload (`POST /attachments`)
 * and download (`GET /attachments/content`), and `/health`. Nothing connects or listens until
 * `listen`; the database is opened here.
 */
export async function createPractices(config: PracticesConfig, deps: PracticesDeps): Promise<Practices> {
  const logger = deps.logger;
  const database = await openServiceDatabase({
    service: 'practices',
    config: config.database,
    entities: PRACTICES_ENTITIES,
    migrations: { sqlite, postgresql },
    logger,
  });
  const settings = { attachmentMaxBytes: config.attachmentMaxBytes, timeZone: config.timeZone };
  const territories = createTerritoryCache();
  const jobs = createJobScheduler({
    database,
    logger,
    timeZone: config.timeZone,
    jobs: [appointmentRemindersJob(database, config.reminderIntervalMs, config.timeZone)],
  });
  const runtime = createSubgraphRuntime<PracticesContext>({
    service: 'practices',
    logger,
    database,
    ownsDatabase: true,
    migrateOnListen: true,
    ...identityCheckedCallers(config, deps),
    audit: deps.audit,
    relayTo: deps.bus,
    schema: await buildPracticesSchema(),
    plugins: [auditFlushPlugin<PracticesContext>()],
    // Staff reads are audited through the outbox, so identity's audit log gets them durably.
    context: (base) =>
      createPracticesContext(
        { ...base, audit: deps.audit ?? createOutboxAuditSink('practices', base) },
        settings,
        territories,
      ),
    routes: ({ requestContext }) =>
      attachmentRoutes({ context: requestContext, maxBytes: config.attachmentMaxBytes }),
    workers: [
      jobs,
      // Fees: tributi's positions and receipts for practices come back through the bus.
      consumerWorker(() => startPaymentConsumer({ bus: deps.bus, database, logger })),
    ],
  });

  const runReminders = (now = new Date()) => sendAppointmentReminders(database, now, config.timeZone);
  return {
    database,
    listen: (port, host = config.host) => runtime.listen(port, host),
    flushOutbox: () => runtime.flushOutbox(),
    runReminders,
    close: () => runtime.close(),
  };
}
