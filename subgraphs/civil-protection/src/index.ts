import 'reflect-metadata';
import {
  createSubgraphRuntime,
  openServiceDatabase,
  type Database,
  type DatabaseRequestContext,
  type EntityManager,
  type EventBus,
  type JwksSource,
  type Logger,
  type Route,
  type ServiceRequest,
  REVOCATIONS_PATH,
} from '@sportello/platform';
import type { CivilProtectionConfig } from './config.js';
import { createCivilProtectionContext, type CivilProtectionContext } from './context.js';
import { CIVIL_PROTECTION_ENTITIES } from './entities/index.js';
import { ATOM_CONTENT_TYPE, CAP_CONTENT_TYPE } from './feeds/cap.js';
import { cacheableFeed, DEFAULT_FEED_MAX_AGE_SECONDS, feedInstant } from './feeds/feed-caching.js';
import {
  ALERT_CAP_PATH,
  ALERTS_INDEX_PATH,
  EMERGENCY_AREAS_PATH,
  alertCapDocument,
  alertsIndexDocument,
  emergencyAreasDocument,
  type FeedPublisher,
} from './feeds/feed-source.js';
import { GEOJSON_CONTENT_TYPE } from './feeds/geojson.js';
import { buildCivilProtectionSchema } from './graphql/schema.js';
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
  minimumPhase,
  OPERATIONAL_PHASES,
  type AudienceZones,
  type OperationalPhase,
} from './domain/alert.js';
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
export { renderEmergencyAreas, type EmergencyAreaCollection } from './feeds/geojson.js';
export { ALERT_CAP_PATH, ALERTS_INDEX_PATH, EMERGENCY_AREAS_PATH } from './feeds/feed-source.js';
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
 * (`/feeds/alerts.atom`, `/feeds/alert.cap.xml?id=`, `/feeds/emergency-areas.geojson`) and
 * `/health`. Nothing connects or listens until `listen`; the database is opened here.
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
    context: (base) => createCivilProtectionContext(base),
    routes: ({ requestContext }) => feedRoutes(config, requestContext),
  });
  return {
    database,
    listen: (port, host = config.host) => runtime.listen(port, host),
    flushOutbox: () => runtime.flushOutbox(),
    close: () => runtime.close(),
  };
}

/** The open-data feeds: public, read through the request context of anonymous callers too. */
function feedRoutes(
  config: CivilProtectionConfig,
  requestContext: (request: ServiceRequest) => Promise<DatabaseRequestContext<EntityManager>>,
): Route[] {
  /** Anonymous feeds pick the comune with `?comune=` or `x-comune`; the request context checks it. */
  async function feedContext(request: ServiceRequest) {
    const comune = request.url.searchParams.get('comune');
    const scoped =
      comune === null
        ? request
        : { ...request, header: (name: string) => (name === 'x-comune' ? comune : request.header(name)) };
    const base = await requestContext(scoped);
    const publisher: FeedPublisher = {
      comune: base.comune,
      comuneName: config.comuneNames[base.comune] ?? base.comune,
      sender: `protezione-civile.${base.comune}@${config.capSenderDomain}`,
      baseUrl: config.publicUrl,
    };
    return { em: base.em, publisher };
  }

  // Feeds are public and the same for everyone of a comune: CDNs may keep them for the bound and
  // revalidate with If-None-Match.
  const feedMaxAge = config.feedMaxAgeSeconds ?? DEFAULT_FEED_MAX_AGE_SECONDS;
  return [
    {
      method: 'GET',
      path: ALERTS_INDEX_PATH,
      async handler(request) {
        const { em, publisher } = await feedContext(request);
        const now = feedInstant(Date.now(), feedMaxAge);
        const document = await alertsIndexDocument(em, publisher, now);
        return cacheableFeed(request, ATOM_CONTENT_TYPE, document, feedMaxAge);
      },
    },
    {
      method: 'GET',
      path: ALERT_CAP_PATH,
      async handler(request) {
        const { em, publisher } = await feedContext(request);
        const id = request.url.searchParams.get('id') ?? '';
        const document = await alertCapDocument(em, publisher, id);
        if (document === null) {
          // The alert may be issued a moment later: nobody should remember its absence.
          return {
            status: 404,
            headers: { 'cache-control': 'no-store' },
            json: { error: `No alert with id ${id}` },
          };
        }
        return cacheableFeed(request, CAP_CONTENT_TYPE, document, feedMaxAge);
      },
    },
    {
      method: 'GET',
      path: EMERGENCY_AREAS_PATH,
      async handler(request) {
        const { em } = await feedContext(request);
        const document = JSON.stringify(await emergencyAreasDocument(em));
        return cacheableFeed(request, GEOJSON_CONTENT_TYPE, document, feedMaxAge);
      },
    },
  ];
}
