import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import {
  consumerWorker,
  createJobScheduler,
  createSubgraphRuntime,
  identityCheckedCallers,
  migratedServiceDatabase,
  type AuditSink,
  type Database,
  type EventBus,
  type ForegroundGate,
  type JwksSource,
  type Logger,
  type ServiceServer,
  auditFlushPlugin,
  createOutboxAuditSink,
} from '@sportello/platform';
import type { TributiConfig } from './config.js';
import { createTributiContext, type TributiContext, type TributiSettings } from './context.js';
import { BulkJobRunner } from './domain/bulk-jobs.js';
import { ensureCreditor } from './domain/notice-numbers.js';
import { startCertificateFeesConsumer } from './events/certificate-fees-consumer.js';
import { startPracticeFeesConsumer } from './events/practice-fees-consumer.js';
import { TRIBUTI_ENTITIES } from './entities/index.js';
import { buildTributiSchema } from './graphql/schema.js';
import { bulkUploadRoute } from './http/bulk-upload-route.js';
import { receiptsRoute } from './http/receipts-route.js';
import {
  paymentRemindersJob,
  runPaymentReminderJob,
  type PaymentReminderJobResult,
} from './jobs/payment-reminders.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

export { loadTributiConfig, TRIBUTI_ENV_VARIABLES } from './config.js';
export { seedTributi } from './seed/index.js';

/** What {@link createTributi} needs from its host. */
export interface TributiDeps {
  /** Where the outbox relay publishes payment events. */
  bus: EventBus;
  logger: Logger;
  /** The token issuer's keys, when the host has them (embedded mode, tests); else `config.jwksUrl`. */
  jwks?: JwksSource;
  /** Where staff reads of payment positions are recorded. @default a logging sink */
  audit?: AuditSink;
  /** An open tributi database (migrated here); by default one is opened from `config.database`. */
  database?: Database;
  /** The embedded hub's gate: bulk billing runs step back while work people wait for is going on. */
  foreground?: ForegroundGate;
}

/** A running-ready tributi service. */
export interface TributiHandle {
  readonly schema: GraphQLSchema;
  readonly database: Database;
  readonly server: ServiceServer;
  /** Starts the outbox relay, resumes bulk jobs, schedules reminders and listens. @returns the base URL */
  listen(port?: number, host?: string): Promise<string>;
  /** The daily reminder run, now, for `today` (`YYYY-MM-DD`, default today in Italy). */
  runPaymentReminderJob(options?: { today?: string }): Promise<PaymentReminderJobResult>;
  /** Resolves when no bulk job is left to process (tests, graceful shutdown). */
  bulkJobsIdle(): Promise<void>;
  /** Publishes pending outbox events now. @returns how many were published */
  flushOutbox(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Creates the tributi subgraph: GraphQL on `/graphql`, payment receipts on `POST /payments/receipts`,
 * `/health`. Opens and migrates the database and registers the configured creditors; nothing
 * listens, relays or schedules until `listen`.
 */
export async function createTributi(config: TributiConfig, deps: TributiDeps): Promise<TributiHandle> {
  const logger = deps.logger;
  const { database, ownsDatabase } = await migratedServiceDatabase(deps.database, {
    service: 'tributi',
    config: config.database,
    entities: TRIBUTI_ENTITIES,
    migrations: { sqlite, postgresql },
    logger,
  });
  for (const creditor of config.creditors) {
    await ensureCreditor(database.fork({ comune: creditor.comune }), creditor);
  }

  const settings: TributiSettings = {
    fineRules: config.fineRules,
    providers: config.paymentProviders,
    lockRows: database.driver === 'postgresql',
  };
  const bulkJobs = new BulkJobRunner({
    database,
    batchSize: config.bulkBatchSize,
    fineRules: config.fineRules,
    lockRows: settings.lockRows,
    logger,
    ...(deps.foreground ? { foreground: deps.foreground } : {}),
  });
  const schema = await buildTributiSchema();
  const jobs = createJobScheduler({
    database,
    logger,
    jobs: [
      paymentRemindersJob({
        ...config.reminders,
        database,
        fineRules: config.fineRules,
        logger,
      }),
    ],
  });
  const runtime = createSubgraphRuntime<TributiContext>({
    service: 'tributi',
    logger,
    database,
    ownsDatabase,
    ...identityCheckedCallers(config, deps),
    audit: deps.audit,
    relayTo: deps.bus,
    schema,
    plugins: [auditFlushPlugin<TributiContext>()],
    // Staff reads are audited through the outbox, so identity's audit log gets them durably.
    context: (base) =>
      createTributiContext(
        { ...base, audit: deps.audit ?? createOutboxAuditSink('tributi', base) },
        settings,
        bulkJobs,
      ),
    // A TARI run of tens of thousands of households arrives in one request.
    maxBodyBytes: 16 * 1_048_576,
    routes: ({ context }) => [receiptsRoute(context), bulkUploadRoute(context)],
    workers: [
      {
        start() {
          bulkJobs.kick();
        },
        stop: () => bulkJobs.stop(),
      },
      jobs,
      // Practices ask for their fees through the bus (`practice.payment-requested`).
      consumerWorker(() =>
        startPracticeFeesConsumer({
          bus: deps.bus,
          database,
          logger,
          fineRules: config.fineRules,
          lockRows: settings.lockRows,
        }),
      ),
      // Certificates ask for their stamp duty through the bus (`certificate.payment-requested`).
      consumerWorker(() =>
        startCertificateFeesConsumer({
          bus: deps.bus,
          database,
          logger,
          fineRules: config.fineRules,
        }),
      ),
    ],
  });

  const runReminders = (options: { today?: string } = {}) =>
    runPaymentReminderJob({
      database,
      offsetsDays: config.reminders.offsetsDays,
      fineRules: config.fineRules,
      logger,
      ...(options.today === undefined ? {} : { today: options.today }),
    });

  return {
    schema,
    database,
    server: runtime.server,
    listen: (port = config.port, host = config.host) => runtime.listen(port, host),
    runPaymentReminderJob: runReminders,
    bulkJobsIdle: () => bulkJobs.idle(),
    flushOutbox: () => runtime.flushOutbox(),
    close: () => runtime.close(),
  };
}
