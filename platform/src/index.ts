export type { EventBus, EventHandler, ConsumerOptions, Consumer } from './bus/event-bus.js';
export {
  OFFICES,
  SCOPES,
  type Office,
  type Scope,
  type Principal,
  type AnonymousPrincipal,
  type CitizenPrincipal,
  type StaffPrincipal,
  type ClientPrincipal,
} from './auth/principal.js';
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
