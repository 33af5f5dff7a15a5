import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import {
  auditFlushPlugin,
  createOutboxAuditSink,
  consumerWorker,
  createJobScheduler,
  createSubgraphRuntime,
  identityCheckedCallers,
  openServiceDatabase,
  type AuditSink,
  type Database,
  type DatabaseRequestContext,
  type EntityManager,
  type EventBus,
  type JwksSource,
  type Logger,
  todayIn,
} from '@sportello/platform';
import { createCertificateRoutes, rewriteCertificatePath } from './http/certificate-routes.js';
import type { AnagrafeConfig } from './config.js';
import { residenceChangeDocumentRoutes } from './http/residence-change-document-routes.js';
import { createAnagrafeContext, type AnagrafeContext, type AnagrafeSettings } from './context.js';
import { ANAGRAFE_ENTITIES } from './entities/index.js';
import { startStampDutyConsumer } from './events/stamp-duty-consumer.js';
import { buildAnagrafeSchema } from './graphql/schema.js';
import {
  runDocumentExpiryJob,
  type DocumentExpiryJobOptions,
  type DocumentExpiryJobResult,
} from './jobs/document-expiry.js';
import { anagrafeJobs } from './jobs/scheduler.js';
import { runSilentApprovalJob } from './jobs/silent-approval.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

export { loadAnagrafeConfig, ANAGRAFE_ENV_VARIABLES } from './config.js';
export { seedAnagrafe, type SeedPerson, type SeedStreet } from './seed/index.js';

/** What anagrafe needs from its host. */
export interface AnagrafeDeps {
  /** Where the outbox relay publishes anagrafe's events. */
  bus: EventBus;
  logger: Logger;
  /** The token issuer's keys, when the host has them (embedded mode, tests); else `config.jwksUrl`. */
  jwks?: JwksSource;
  /**
   * Where staff reads of personal data are recorded. @default one outbox sink per request: each read
   * becomes an `audit.personal-data-read` event stored before the data is answered
   */
  audit?: AuditSink;
  /** The service's clock: what "now" and the comune's today are for each request. @default the system clock */
  clock?: () => Date;
}

/** A running-ready anagrafe service. */
export interface AnagrafeHandle {
  readonly schema: GraphQLSchema;
  readonly database: Database;
  /** Migrates, starts the outbox relay and the daily jobs, and listens. Port 0 picks a free port. @returns the base URL */
  listen(port?: number, host?: string): Promise<string>;
  /** Runs the document reminder job for `today` (the comune's today by default); idempotent per day. */
  runDocumentExpiryJob(options?: Partial<DocumentExpiryJobOptions>): Promise<DocumentExpiryJobResult>;
  /** Accepts by silence the declarations older than 45 days without outcome. @returns how many */
  runSilentApprovalJob(options?: { today?: string }): Promise<number>;
  /** Publishes pending outbox events now (tests, graceful shutdown). @returns how many were published */
  flushOutbox(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Creates the anagrafe subgraph: GraphQL on `/graphql`, certificate PDFs on
 * `GET /certificates/<id>.pdf`, public verification on `GET /certificates/verify?code=`, the
 * documents of replies to notices of obstacles (`POST /residence-change-documents`,
 * `GET /residence-change-documents/content?id=`), `/health`,
 * the outbox relay and the daily jobs (document reminders, silent approval). The database is opened
 * here; nothing is migrated, started or listened to until `listen`.
 */
export async function createAnagrafe(config: AnagrafeConfig, deps: AnagrafeDeps): Promise<AnagrafeHandle> {
  const { logger, bus } = deps;
  const database = await openServiceDatabase({
    service: 'anagrafe',
    config: config.database,
    entities: ANAGRAFE_ENTITIES,
    migrations: { sqlite, postgresql },
    logger,
  });
  /** The request context with its audit sink: the host's, or the durable outbox sink. */
  const audited = (base: DatabaseRequestContext<EntityManager>) => ({
    ...base,
    audit: deps.audit ?? createOutboxAuditSink('anagrafe', base),
  });
  const settings: AnagrafeSettings = {
    comuneNames: config.comuneNames,
    publicUrl: config.publicUrl,
    certificateVerificationUrl: config.certificateVerificationUrl,
    onlineCertificatesExempt: config.onlineCertificatesExempt,
    timeZone: config.timeZone,
  };
  const jobs = createJobScheduler({
    database,
    logger,
    timeZone: config.timeZone,
    jobs: anagrafeJobs({ database, timeZone: config.timeZone, jobs: config.jobs }),
  });
  const schema = await buildAnagrafeSchema();
  const runtime = createSubgraphRuntime<AnagrafeContext>({
    service: 'anagrafe',
    logger,
    database,
    ownsDatabase: true,
    migrateOnListen: true,
    ...identityCheckedCallers(config, deps),
    relayTo: bus,
    schema,
    // A staff read is not answered unless its audit event is stored.
    plugins: [auditFlushPlugin<AnagrafeContext>()],
    context: (base) => createAnagrafeContext(audited(base), settings, deps.clock?.() ?? new Date()),
    routes: ({ requestContext }) => [
      ...createCertificateRoutes({
        requestContext: async (request) => audited(await requestContext(request)),
        settings,
      }),
      ...residenceChangeDocumentRoutes({
        requestContext: async (request) => audited(await requestContext(request)),
        settings,
        maxBytes: config.replyDocumentMaxBytes,
      }),
    ],
    workers: [
      jobs,
      // Certificates wait for their stamp duty: tributi's notices and receipts come through the bus.
      consumerWorker(() =>
        startStampDutyConsumer({
          bus,
          database,
          logger,
          settings,
          ...(deps.clock === undefined ? {} : { now: deps.clock }),
        }),
      ),
    ],
  });
  // Service routes match whole paths: give the PDF route its public shape before they are matched.
  runtime.server.httpServer.prependListener('request', rewriteCertificatePath);

  return {
    schema,
    database,
    listen: (port = config.port, host = config.host) => runtime.listen(port, host),
    async runDocumentExpiryJob(options = {}) {
      await runtime.migrate();
      return runDocumentExpiryJob(database, {
        offsetsDays: config.jobs.reminderOffsetsDays,
        expiredNoticeLookbackDays: config.jobs.expiredNoticeLookbackDays,
        ...options,
        today: options.today ?? todayIn(config.timeZone),
      });
    },
    async runSilentApprovalJob(options = {}) {
      await runtime.migrate();
      return runSilentApprovalJob(database, {
        today: options.today ?? todayIn(config.timeZone),
      });
    },
    flushOutbox: () => runtime.flushOutbox(),
    close: () => runtime.close(),
  };
}
