import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import {
  auditFlushPlugin,
  createDatabase,
  createOutboxAuditSink,
  createErrorMasking,
  createOutboxRelay,
  createRequestContextFactory,
  createServiceServer,
  createTokenVerifier,
  type AuditSink,
  type Database,
  type EventBus,
  type JwksSource,
  type Logger,
  type ServiceRequest,
} from '@sportello/platform';
import { createCertificateRoutes, rewriteCertificatePath } from './certificates/certificate-routes.js';
import type { AnagrafeConfig } from './config.js';
import { createAnagrafeContext, type AnagrafeContext, type AnagrafeSettings } from './context.js';
import { todayIn } from './domain/calendar.js';
import { ANAGRAFE_ENTITIES } from './entities/index.js';
import { buildAnagrafeSchema } from './graphql/schema.js';
import {
  runDocumentExpiryJob,
  type DocumentExpiryJobOptions,
  type DocumentExpiryJobResult,
} from './jobs/document-expiry.js';
import { createJobScheduler } from './jobs/scheduler.js';
import { runSilentApprovalJob } from './jobs/silent-approval.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

export { loadAnagrafeConfig, type AnagrafeConfig, type AnagrafeJobSettings } from './config.js';
export { ANAGRAFE_OFFICE, type AnagrafeContext } from './context.js';
export { ANAGRAFE_ENTITIES } from './entities/index.js';
export { buildAnagrafeSchema } from './graphql/schema.js';
export {
  seedAnagrafe,
  type AnagrafeSeed,
  type AnagrafeSeedOptions,
  type AnagrafeSeedResult,
  type SeedPerson,
  type SeedStreet,
} from './seed.js';
export {
  runDocumentExpiryJob,
  type DocumentExpiryJobOptions,
  type DocumentExpiryJobResult,
} from './jobs/document-expiry.js';
export { runSilentApprovalJob } from './jobs/silent-approval.js';
export {
  cieExpiry,
  cieValidityRule,
  documentValidity,
  dueReminderOffset,
  effectiveExpiry,
  DEFAULT_REMINDER_OFFSETS,
  PAPER_CARD_LAST_VALID_DAY,
  RENEWAL_WINDOW_DAYS,
  type DocumentValidity,
} from './domain/identity-document.js';
export {
  CERTIFICATE_KINDS,
  CERTIFICATE_KIND_RULES,
  STAMP_DUTY_EXEMPTIONS,
  certificateValidUntil,
  stampDutyFor,
  type CertificateKind,
  type StampDutyExemption,
} from './domain/certificate-rules.js';
export {
  OBSTACLE_REPLY_DAYS,
  SILENT_APPROVAL_DAYS,
  RESIDENCE_CHANGE_TRANSITIONS,
} from './domain/residence-change.js';
export { CERTIFICATE_VERIFY_ROUTE } from './certificates/certificate-routes.js';
export type { IsoDate } from './domain/calendar.js';

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
 * `GET /certificates/<id>.pdf`, public verification on `GET /certificates/verify?code=`, `/health`,
 * the outbox relay and the daily jobs (document reminders, silent approval). The database is opened
 * here; nothing is migrated, started or listened to until `listen`.
 */
export async function createAnagrafe(config: AnagrafeConfig, deps: AnagrafeDeps): Promise<AnagrafeHandle> {
  const { logger, bus } = deps;
  const database = await createDatabase({
    service: 'anagrafe',
    driver: config.database.driver,
    ...(config.database.driver === 'sqlite'
      ? { sqlitePath: config.database.url }
      : { postgresUrl: config.database.url }),
    ...(config.database.postgresDatabase === undefined
      ? {}
      : { postgresDatabase: config.database.postgresDatabase }),
    entities: ANAGRAFE_ENTITIES,
    migrations: { sqlite, postgresql },
    logger,
  });
  const verifier = createTokenVerifier({
    issuer: config.tokenIssuer,
    audience: config.tokenAudience,
    jwks: deps.jwks ?? config.jwksUrl,
  });
  const requestContext = createRequestContextFactory({
    verifier,
    defaultComune: config.defaultComune,
    logger,
    database,
  });
  /** The request context with its audit sink: the host's, or the durable outbox sink. */
  const auditedContext = async (request: ServiceRequest) => {
    const base = await requestContext(request);
    return { ...base, audit: deps.audit ?? createOutboxAuditSink('anagrafe', base) };
  };
  const settings: AnagrafeSettings = {
    comuneNames: config.comuneNames,
    publicUrl: config.publicUrl,
    certificateVerificationUrl: config.certificateVerificationUrl,
    onlineCertificatesExempt: config.onlineCertificatesExempt,
    timeZone: config.timeZone,
  };
  const relay = createOutboxRelay({ database, bus, logger });
  const scheduler = createJobScheduler({ database, logger, timeZone: config.timeZone, jobs: config.jobs });
  const schema = await buildAnagrafeSchema();
  const masking = createErrorMasking<AnagrafeContext>(logger);
  const apollo = new ApolloServer<AnagrafeContext>({
    schema,
    // Apollo's own messages go through the service's masking logger, at its level.
    logger,
    formatError: masking.formatError,
    plugins: [
      masking.plugin,
      // A staff read is not answered unless its audit event is stored.
      auditFlushPlugin<AnagrafeContext>(),
      {
        // Events recorded by a mutation go out as soon as it commits, not at the next poll.
        async requestDidStart() {
          return {
            async willSendResponse() {
              relay.nudge();
            },
          };
        },
      },
    ],
  });
  const server = createServiceServer<AnagrafeContext>({
    name: 'anagrafe',
    apollo,
    logger,
    routes: createCertificateRoutes({ requestContext: auditedContext, settings }),
    context: async (request) =>
      createAnagrafeContext(await auditedContext(request), settings, request.url.origin),
    health: async () => {
      await database.forkUnscoped().getConnection().execute('select 1');
    },
  });
  // Service routes match whole paths: give the PDF route its public shape before they are matched.
  server.httpServer.prependListener('request', rewriteCertificatePath);

  let migrated = false;
  const migrate = async () => {
    if (!migrated) {
      await database.migrate();
      migrated = true;
    }
  };
  return {
    schema,
    database,
    async listen(port = config.port, host = '127.0.0.1') {
      await migrate();
      relay.start();
      scheduler.start();
      return server.listen(port, host);
    },
    async runDocumentExpiryJob(options = {}) {
      await migrate();
      const result = await runDocumentExpiryJob(database, {
        offsetsDays: config.jobs.reminderOffsetsDays,
        expiredNoticeLookbackDays: config.jobs.expiredNoticeLookbackDays,
        ...options,
        today: options.today ?? todayIn(config.timeZone),
      });
      relay.nudge();
      return result;
    },
    async runSilentApprovalJob(options = {}) {
      await migrate();
      const accepted = await runSilentApprovalJob(database, {
        today: options.today ?? todayIn(config.timeZone),
      });
      relay.nudge();
      return accepted;
    },
    flushOutbox: () => relay.flush(),
    async close() {
      await server.close();
      await scheduler.stop();
      await relay.stop();
      await database.close();
    },
  };
}
