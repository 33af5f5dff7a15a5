export {
  CONSUMER_DEFAULTS,
  orderingKey,
  type EventBus,
  type EventHandler,
  type ConsumerOptions,
  type Consumer,
  type ConsumerObserver,
  type ConsumerStats,
  type HandledReport,
  type BusLogger,
} from './bus/event-bus.js';
export { parseConsumedEvent } from './bus/event-codec.js';
export { KeyedScheduler } from './bus/keyed-scheduler.js';
export {
  createInProcessBus,
  ConsumerStoppedError,
  type InProcessBus,
  type InProcessBusOptions,
} from './bus/in-process-bus.js';
export {
  createForegroundGate,
  type ForegroundGate,
  type ForegroundGateOptions,
  type ForegroundGateStats,
} from './bus/foreground-gate.js';
export { createNatsBus, type NatsBusOptions } from './bus/nats-bus.js';
export { type DedupeWindowOptions } from './bus/dedupe-window.js';
export {
  DEFAULT_SUBJECT_ROOT,
  subjectFor,
  subjectPattern,
  subjectMatches,
  assertSubjectPattern,
} from './bus/subjects.js';
export {
  OFFICES,
  SCOPES,
  WRITE_SCOPES,
  readScopeOf,
  type Office,
  type Scope,
  type WriteScope,
  type Principal,
  type AnonymousPrincipal,
  type CitizenPrincipal,
  type StaffPrincipal,
  type ClientPrincipal,
  type ServicePrincipal,
} from './auth/principal.js';
export {
  createTokenVerifier,
  revokedTokenError,
  TOKEN_REJECTION_REASONS,
  type TokenVerifier,
  type TokenVerifierOptions,
  type TokenRejectionReason,
  type JwksSource,
} from './auth/token-verifier.js';
export {
  createInternalAssertions,
  InternalAssertionError,
  INTERNAL_ASSERTION_HEADER,
  INTERNAL_SECRET_MIN_LENGTH,
  type InternalAssertions,
  type InternalAssertionOptions,
  type InternalAssertionRefusal,
} from './auth/internal-assertion.js';
export {
  createRevocationView,
  REVOCATIONS_PATH,
  REVOCATION_RETENTION_MS,
  type Revocation,
  type RevocationList,
  type RevocationView,
  type RevocationViewOptions,
} from './auth/revocations.js';
export {
  ACCESS_TOKEN_TYPE,
  principalFromClaims,
  claimsForPrincipal,
  InvalidClaimsError,
  type TokenClaims,
  type TokenPrincipal,
} from './auth/token-claims.js';
export {
  canReadPersonalData,
  assertCanRead,
  requireAuthenticated,
  requireStaff,
  scopeRequired,
  requireAppScope,
  requireMutationScopes,
  UnclassifiedMutationError,
  type MutationScopes,
  type PersonalDataRule,
} from './auth/access.js';
export {
  authorizePersonalDataRead,
  auditPersonalDataRead,
  createLoggingAuditSink,
  createMemoryAuditSink,
  createOutboxAuditSink,
  auditFlushPlugin,
  type AuditEntry,
  type AuditSink,
  type AuditedRead,
  type AuditedRequest,
  type AuditFlushContext,
  type MemoryAuditSink,
  type OutboxAuditSink,
} from './auth/audit.js';
export {
  createDatabase,
  DatabaseConfigError,
  PLATFORM_ENTITIES,
  type Database,
  type DatabaseDriver,
  type DatabaseOptions,
  type EntityManager,
  type AnyEntitySchema,
  type MigrationSet,
} from './database/database.js';
export {
  tenantProperties,
  TenantViolationError,
  TENANT_FILTER,
  type TenantScope,
} from './database/tenancy.js';
export {
  Migration,
  createMigration,
  assertMigrationsMatchEntities,
  MigrationDriftError,
  type CreateMigrationOptions,
  type CreateMigrationResult,
  type MigrationCheckOptions,
} from './database/migrations.js';
export { parseConfig, type Environment, type ParseConfigOptions } from './config/parse-config.js';
export { ConfigError, type ConfigIssue } from './config/config-error.js';
export {
  envInteger,
  envRatio,
  envPort,
  envBoolean,
  envEnum,
  envUrl,
  envText,
  envLogLevel,
  envDatabaseDriver,
  envDatabaseUrl,
  checkDatabaseEnv,
  envNatsUrl,
  envBus,
  envComune,
  envTokenIssuer,
  envTokenAudience,
  envJwksUrl,
  envSportelloMode,
  envTimeZone,
  LOG_LEVELS,
  DATABASE_DRIVERS,
  BUS_KINDS,
  SPORTELLO_MODES,
  type LogLevel,
  type BusKind,
  type SportelloMode,
} from './config/env.js';
export {
  CORE_DEFAULTS,
  DEFAULT_PORTS,
  PRODUCTION_REQUIRED,
  deploymentEnvShape,
  serviceEnvShape,
  checkDeploymentEnv,
  checkServiceEnv,
  serviceCoreConfig,
  envInternalSecret,
  envPublicUrl,
  isSecureOrigin,
  originOf,
  type CoreServiceEnv,
  type CoreServiceName,
  type ServiceCoreConfig,
} from './config/service-config.js';
export { createLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export {
  CIVIL_TIME_ZONE,
  isIsoDate,
  parseIsoDate,
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
  isNationalHoliday,
  isWorkingDay,
  addWorkingDays,
  formatItalianDate,
  type IsoDate,
} from './calendar/calendar.js';
export {
  createJobScheduler,
  everyMinutes,
  DEFAULT_LEASE_MS,
  type JobScheduler,
  type JobSchedulerOptions,
  type ScheduledJob,
  type JobContext,
  type JobRun,
} from './jobs/scheduler.js';
export { JobLease } from './jobs/job-lease.entity.js';
export { SCHEDULER_MIGRATIONS } from './jobs/scheduler-migrations.js';
export {
  startTracing,
  startTracingFromEnv,
  loadTracingConfig,
  tracingConfigOf,
  tracingOptions,
  TRACING_ENV,
  type Tracing,
  type TracingConfig,
  type TracingEnv,
  type TracingLogger,
  type TracingOptions,
} from './observability/tracing.js';
export {
  createServiceMetrics,
  DURATION_BUCKETS,
  LAG_BUCKETS,
  type ServiceMetrics,
  type ServiceMetricsOptions,
  type Counter,
  type Gauge,
  type Histogram,
} from './observability/metrics.js';
export {
  SPAN_ATTRIBUTES,
  sportelloTracer,
  startServerSpan,
  extractTraceContext,
  injectTraceContext,
  operationNameAttribute,
  type HeaderSink,
  type ServerSpan,
  type ServerSpanRequest,
} from './observability/spans.js';
export { maskPersonalData, maskPersonalText, maskFiscalCode, REDACTED } from './logging/personal-data.js';
export {
  ClientError,
  NotFoundError,
  ForbiddenError,
  UnauthenticatedError,
  BadUserInputError,
  ConflictError,
  RateLimitedError,
  ServiceUnavailableError,
  InternalServerError,
  isClientError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorDetails,
} from './errors/client-errors.js';
export {
  createErrorMasking,
  maskUnexpectedError,
  isExposableError,
  type ErrorMasking,
  type MaskingContext,
} from './errors/error-masking.js';
export {
  createServiceServer,
  type ServiceServer,
  type ServiceServerOptions,
  type Route,
  type RouteResponse,
} from './http/service-server.js';
export {
  PayloadTooLargeError,
  MalformedBodyError,
  readBounded,
  type ServiceRequest,
} from './http/service-request.js';
export { detectFileType, DETECTABLE_FILE_TYPES } from './http/file-types.js';
export {
  answeringUpload,
  checkUploadedFile,
  uploadProblem,
  UploadRefusal,
  type UploadedFile,
} from './http/upload-answers.js';
export { isInTerritory, type GeoPosition, type TerritoryGeometry } from './geo/territory.js';
export {
  createRequestContextFactory,
  COMUNE_HEADER,
  type RequestContext,
  type DatabaseRequestContext,
  type ForkableDatabase,
  type RequestContextOptions,
} from './http/request-context.js';
export { OutboxMessage } from './outbox/outbox-message.entity.js';
export { InboxEntry } from './outbox/inbox-entry.entity.js';
export { recordEvent } from './outbox/record-event.js';
export { handleOnce } from './outbox/inbox.js';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox/relay.js';
export {
  OUTBOX_COMMITTED_CHANNEL,
  type CommittedEventsListener,
  type OutboxCommittedMessage,
} from './outbox/commit-watch.js';
export { OUTBOX_MIGRATIONS } from './outbox/outbox-migrations.js';
export { runService, type RunnableService, type RunServiceOptions } from './service/run-service.js';
export {
  measureDocument,
  operationLimitsRule,
  OperationLimitError,
  INTROSPECTION_COST,
  SUBGRAPH_OPERATION_LIMITS,
  type OperationLimits,
} from './graphql/operation-limits.js';
export {
  ConnectionArgs,
  PageInfo,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  connectionType,
  connectionFromRows,
  connectionFromArray,
  decodeCursor,
  encodeCursor,
  findConnection,
  keysetCondition,
  keysetOrderBy,
  pageSize,
  withNodes,
  type Connection,
  type CursorValue,
  type Edge,
  type KeysetOrder,
} from './graphql/connection.js';
export {
  createSubgraphRuntime,
  internalAssertionsFor,
  openServiceDatabase,
  type ServiceDatabaseConfig,
  type ServiceDatabaseOptions,
  type SubgraphRuntime,
  type SubgraphRuntimeOptions,
  type SubgraphRuntimeParts,
  type SubgraphWorker,
} from './service/subgraph-runtime.js';
export {
  federateSchema,
  subscriptionsServedByGateway,
  ROOT_TYPE_DESCRIPTIONS,
  type FederationOptions,
  type ReferenceResolver,
} from './service/federated-schema.js';
