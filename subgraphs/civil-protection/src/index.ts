import 'reflect-metadata';
import {
  createSubgraphRuntime,
  openServiceDatabase,
  type Database,
  type EventBus,
  type JwksSource,
  type Logger,
  REVOCATIONS_PATH,
} from '@sportello/platform';
import type { CivilProtectionConfig } from './config.js';
import { createCivilProtectionContext, type CivilProtectionContext } from './context.js';
import { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';
import { feedRoutes } from './feeds/feed-routes.js';
import { buildCivilProtectionSchema } from './graphql/schema.js';
import { ordinanceDocumentRoutes } from './http/ordinance-document-routes.js';
import { createExpiryAnnouncer } from './jobs/expiry-announcer.js';
import { migrations as postgresql } from './migrations/postgresql/index.js';
import { migrations as sqlite } from './migrations/sqlite/index.js';

export {
  loadCivilProtectionConfig,
  CIVIL_PROTECTION_ENV_VARIABLES,
  type CivilProtectionConfig,
} from './config.js';
export { buildCivilProtectionSchema } from './graphql/schema.js';
export { seedCivilProtection, type CivilProtectionSeed, type SeedZone, type SeedResult } from './seed.js';
export { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';
export { CIVIL_PROTECTION_OFFICE, type CivilProtectionContext } from './context.js';
export {
  audienceZones,
  checkAlert,
  isActive,
  isCritical,
  matchesCriteria,
  minimumPhase,
  OPERATIONAL_PHASES,
  type AlertCriteria,
  type AudienceZones,
  type OperationalPhase,
} from './domain/alert.js';
export { announceExpiredAlerts, type ExpiryRun } from './domain/alert-operations.js';
export {
  readZoneCollection,
  readZoneGeometry,
  signedArea,
  isClosed,
  capPolygons,
  type ZoneGeometry,
  type ImportedZone,
  type LinearRing,
  type Position,
} from './domain/zone-geometry.js';
export { importZones } from './domain/zones.js';
export { isPdf, sha256Hex, MAX_DOCUMENT_BYTES } from './domain/ordinance-documents.js';
export { ORDINANCE_DOCUMENTS_PATH } from './http/ordinance-document-routes.js';
export {
  EMERGENCY_AREA_KINDS,
  haversineMeters,
  nearest,
  type EmergencyAreaKind,
  type GeoPoint,
} from './domain/emergency-area.js';
export { LEGAL_BASES, DEFAULT_APPEAL_CLAUSE, type LegalBasis } from './domain/ordinance.js';
export {
  renderCapAlert,
  renderCapIndex,
  COLOUR_TO_CAP,
  CAP_NAMESPACE,
  type CapAlertSource,
  type CapContext,
} from './feeds/cap.js';
export {
  renderAlertZones,
  renderEmergencyAreas,
  type AlertZoneCollection,
  type EmergencyAreaCollection,
} from './feeds/geojson.js';
export { renderOrdinancesIndex, type OrdinanceFeedEntry } from './feeds/ordinance-feed.js';
export {
  ALERT_CAP_PATH,
  ALERT_ZONES_PATH,
  ALERTS_INDEX_PATH,
  EMERGENCY_AREAS_PATH,
  ORDINANCE_DOCUMENT_PATH,
  ORDINANCES_INDEX_PATH,
  alertCapUrl,
  alertsIndexUrl,
  alertZonesUrl,
  emergencyAreasUrl,
  ordinanceDocumentUrl,
  ordinancesIndexUrl,
} from './feeds/feed-urls.js';
export { DEFAULT_FEED_MAX_AGE_SECONDS } from './feeds/feed-caching.js';

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
    tokens: { issuer: config.tokenIssuer, audience: config.tokenAudience, jwks: deps.jwks ?? config.jwksUrl },
    internalSecret: config.internalSecret,
    revocations: { bus: deps.bus, list: new URL(REVOCATIONS_PATH, config.jwksUrl) },
    defaultComune: config.defaultComune,
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
