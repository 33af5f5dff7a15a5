export { type EventBus, type Consumer, type ConsumerObserver } from './bus/event-bus.js';
export { parseConsumedEvent } from './bus/event-codec.js';
export { consumeEvents } from './bus/consume-events.js';
export { KeyedScheduler } from './bus/keyed-scheduler.js';
export { createInProcessBus } from './bus/in-process-bus.js';
export { createForegroundGate, type ForegroundGate } from './bus/foreground-gate.js';
export { createNatsBus } from './bus/nats-bus.js';
export {
  OFFICES,
  SCOPES,
  WRITE_SCOPES,
  readScopeOf,
  type Office,
  type Scope,
  type WriteScope,
  type Principal,
  type CitizenPrincipal,
  type StaffPrincipal,
  type ClientPrincipal,
} from './auth/principal.js';
export {
  createTokenVerifier,
  revokedTokenError,
  type TokenVerifier,
  type JwksSource,
} from './auth/token-verifier.js';
export {
  createInternalAssertions,
  INTERNAL_ASSERTION_HEADER,
  type InternalAssertions,
} from './auth/internal-assertion.js';
export {
  createRevocationView,
  REVOCATIONS_PATH,
  REVOCATION_RETENTION_MS,
  type Revocation,
  type RevocationList,
  type RevocationView,
} from './auth/revocations.js';
export {
  ACCESS_TOKEN_TYPE,
  claimsForPrincipal,
  ISSUED_AT_MS_CLAIM,
  issuedAtOf,
  type TokenPrincipal,
} from './auth/token-claims.js';
export {
  canReadPersonalData,
  assertCanRead,
  requireAuthenticated,
  requireStaff,
  scopeRequired,
  requireAppScope,
  type MutationScopes,
  type PersonalDataRule,
} from './auth/access.js';
export {
  authorizePersonalDataRead,
  auditPersonalDataRead,
  createMemoryAuditSink,
  createOutboxAuditSink,
  auditFlushPlugin,
  type AuditSink,
  type MemoryAuditSink,
  type OutboxAuditSink,
} from './auth/audit.js';
export {
  createDatabase,
  type Database,
  type DatabaseDriver,
  type DatabaseOptions,
  type EntityManager,
  type AnyEntitySchema,
  type MigrationSet,
} from './database/database.js';
export { tenantProperties } from './database/tenancy.js';
export { uuidPrimaryKey } from './database/uuid-key.js';
export { uploadContentEntity, uploadedFileProperties } from './database/stored-uploads.js';
export { Migration, createMigration, assertMigrationsMatchEntities } from './database/migrations.js';
export { runMigrationCommand } from './database/migration-command.js';
export { parseConfig, type Environment } from './config/parse-config.js';
export { ConfigError, type ConfigIssue } from './config/config-error.js';
export {
  envInteger,
  envPort,
  envBoolean,
  envUrl,
  envText,
  envLogLevel,
  envNatsUrl,
  envComune,
  envSportelloMode,
  envTimeZone,
  DATABASE_DRIVERS,
  type LogLevel,
  type SportelloMode,
} from './config/env.js';
export {
  CORE_DEFAULTS,
  DEFAULT_PORTS,
  deploymentEnvShape,
  serviceEnvShape,
  checkDeploymentEnv,
  checkServiceEnv,
  serviceCoreConfig,
  envInternalSecret,
  envPublicUrl,
  originOf,
  defineServiceConfig,
  type ServiceConfigDefinition,
  type ServiceEnv,
  type ServiceCoreConfig,
} from './config/service-config.js';
export { createLogger, type Logger } from './logging/logger.js';
export {
  isIsoDate,
  civilDate,
  todayIn,
  zonedDateTime,
  zonedInstant,
  startOfCivilDay,
  addDays,
  daysBetween,
  addMonths,
  addYears,
  isoWeekday,
  birthdayIn,
  ageOn,
  firstBirthdayOnOrAfter,
  lastBirthdayOnOrBefore,
  addWorkingDays,
  formatItalianDate,
  type IsoDate,
} from './calendar/calendar.js';
export { createJobScheduler, everyMinutes, type ScheduledJob } from './jobs/scheduler.js';
export { JobLease } from './jobs/job-lease.entity.js';
export {
  startTracing,
  startTracingFromEnv,
  tracingConfigOf,
  tracingOptions,
  TRACING_ENV,
  type Tracing,
  type TracingConfig,
} from './observability/tracing.js';
export {
  createServiceMetrics,
  DURATION_BUCKETS,
  type ServiceMetrics,
  type Counter,
  type Histogram,
} from './observability/metrics.js';
export {
  SPAN_ATTRIBUTES,
  sportelloTracer,
  startServerSpan,
  extractTraceContext,
  injectTraceContext,
  operationNameAttribute,
  type ServerSpan,
} from './observability/spans.js';
export {
  ClientError,
  NotFoundError,
  ForbiddenError,
  UnauthenticatedError,
  BadUserInputError,
  ConflictError,
  ServiceUnavailableError,
  isClientError,
  httpStatusOfCode,
} from './errors/client-errors.js';
export {
  createServiceServer,
  type ServiceServer,
  type Route,
  type RouteResponse,
} from './http/service-server.js';
export { readBounded, type ServiceRequest } from './http/service-request.js';
export { listenOn } from './http/listen.js';
export { graphqlEndpointOf, postGraphQL, type GraphQLAnswer } from './http/graphql-call.js';
export { detectFileType, DETECTABLE_FILE_TYPES } from './http/file-types.js';
export {
  answeringUpload,
  checkUploadedFile,
  privateDownload,
  uploadProblem,
  UploadRefusal,
} from './http/upload-answers.js';
export { demoRandom } from './demo/demo-random.js';
export { isInTerritory, type TerritoryGeometry } from './geo/territory.js';
export { createRequestContextFactory, type DatabaseRequestContext } from './http/request-context.js';
export { OutboxMessage } from './outbox/outbox-message.entity.js';
export { InboxEntry } from './outbox/inbox-entry.entity.js';
export { recordEvent } from './outbox/record-event.js';
export { handleOnce } from './outbox/inbox.js';
export { createOutboxRelay } from './outbox/relay.js';
export { OUTBOX_COMMITTED_CHANNEL, type OutboxCommittedMessage } from './outbox/commit-watch.js';
export { OUTBOX_MIGRATIONS } from './outbox/outbox-migrations.js';
export { runService } from './service/run-service.js';
export { operationLimitsRule } from './graphql/operation-limits.js';
export { registerGraphQLEnum, type GraphQLEnumDefinition, type GraphQLEnumOf } from './graphql/enum-of.js';
export { CitizenKey, CITIZEN_DESCRIPTION } from './graphql/citizen-key.js';
export { servedByGateway } from './graphql/served-by-gateway.js';
export {
  ConnectionArgs,
  PageInfo,
  DEFAULT_PAGE_SIZE,
  connectionType,
  connectionFromRows,
  connectionFromArray,
  decodeCursor,
  findConnection,
  keysetCondition,
  keysetOrderBy,
  pageSize,
  withNodes,
  type Connection,
  type KeysetOrder,
} from './graphql/connection.js';
export {
  createSubgraphRuntime,
  identityCheckedCallers,
  internalAssertionsFor,
  migratedServiceDatabase,
  openServiceDatabase,
} from './service/subgraph-runtime.js';
export { consumerWorker, type ServiceConsumerSetup } from './service/consumer-worker.js';
export { federateSchema, subscriptionsServedByGateway } from './service/federated-schema.js';
