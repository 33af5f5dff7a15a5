import 'reflect-metadata';
import {
  createSubgraphRuntime,
  identityCheckedCallers,
  openServiceDatabase,
  type Database,
  type EventBus,
  type JwksSource,
  type Logger,
} from '@sportello/platform';
import type { CivilProtectionConfig } from './config.js';
import { createCivilProtectionContext, type CivilProtectionContext } from './context.js';
import { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';
import { feedRoutes } from './http/feeds/feed-routes.js';
import { buildCivilProtectionSchema } from './graphql/schema.js';
import { ordinanceDocumentRoutes } from './http/ordinance-document-routes.js';
import { createExpiryAnnouncer } from './jobs/expiry-announcer.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

export { loadCivilProtectionConfig, CIVIL_PROTECTION_ENV_VARIABLES } from './config.js';
export { seedCivilProtection } from './seed/index.js';

/** What the service needs from its host. */
export interface CivilProtectionDeps {
  /** Where the outbox relay publishes alert and ordinance events. */
  bus: EventBus;
  logger: Logger;
  /** The token issuer's keys, when the host has them (embedded mode, tests); else `config.jwksUrl`. */
  jwks?: JwksSource;
}

/** A running-ready civil-protection service. */
export interface CivilProtection {
  readonly database: Database;
  /** Migrates, starts the outbox relay and listens. Port 0 picks a free port. @returns the base URL */
  listen(port: number, host?: string): Promise<string>;
  /** Publishes pending outbox events now (tests, graceful shutdown). @returns how many were published */
  flushOutbox(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Creates the civil-protection subgraph: GraphQL on `/graphql`, the open-data feeds
 * (`/feeds/alerts.atom`, `/feeds/alert.cap.xml?id=`, `/feeds/alert-zones.geojson`,
 * `/feeds/emergency-areas.geojson`, `/feeds/ordinances.atom`, `/feeds/ordinance-document.pdf?id=`),
 * the staff's upload of ordinance documents (`POST /ordinance-documents`), `/health`, and the
 * announcer of ended alerts. Nothing connects or listens until `listen`; the
 * database is opened here.
 */
export async function createCivilProtection(
  config: CivilProtectionConfig,
  deps: CivilProtectionDeps,
): Promise<CivilProtection> {
  const logger = deps.logger;
  const database = await openServiceDatabase({
    service: 'civil-protection',
    config: config.database,
    entities: CIVIL_PROTECTION_ENTITIES,
    migrations: { sqlite, postgresql },
    logger,
  });
  const announcer = createExpiryAnnouncer({
    database,
    logger,
    intervalMs: (config.alertExpiryCheckSeconds ?? 30) * 1000,
  });
  const runtime = createSubgraphRuntime<CivilProtectionContext>({
    service: 'civil-protection',
    logger,
    database,
    ownsDatabase: true,
    migrateOnListen: true,
    ...identityCheckedCallers(config, deps),
    relayTo: deps.bus,
    schema: await buildCivilProtectionSchema(),
    context: (base) =>
      createCivilProtectionContext(base, {
        publicUrl: config.publicUrl,
        alertChanged: () => announcer.reschedule(),
      }),
    routes: ({ requestContext, context }) => [
      ...feedRoutes(config, requestContext),
      ...ordinanceDocumentRoutes({ context }),
    ],
    workers: [{ start: () => announcer.start(), stop: () => announcer.stop() }],
  });
  return {
    database,
    listen: (port, host = config.host) => runtime.listen(port, host),
    flushOutbox: () => runtime.flushOutbox(),
    close: () => runtime.close(),
  };
}
