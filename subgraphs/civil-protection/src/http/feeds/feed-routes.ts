/**
 * The open-data routes: public, anonymous, the same answer for everyone of a comune (who picks it
 * with `?comune=` or `x-comune`), cacheable with an ETag. The gateway serves them on the public
 * origin under `/feeds/`.
 */
import type {
  DatabaseRequestContext,
  EntityManager,
  Route,
  RouteResponse,
  ServiceRequest,
} from '@sportello/platform';
import type { CivilProtectionConfig } from '../../config.js';
import { publishedDocument } from '../../domain/ordinance-documents.js';
import { ATOM_CONTENT_TYPE, CAP_CONTENT_TYPE } from './cap.js';
import {
  cacheableFeed,
  DEFAULT_FEED_MAX_AGE_SECONDS,
  DOCUMENT_CACHE_CONTROL,
  feedInstant,
} from './feed-caching.js';
import {
  ALERT_CAP_PATH,
  ALERT_ZONES_PATH,
  ALERTS_INDEX_PATH,
  EMERGENCY_AREAS_PATH,
  ORDINANCE_DOCUMENT_PATH,
  ORDINANCES_INDEX_PATH,
  alertCapDocument,
  alertsIndexDocument,
  alertZonesDocument,
  emergencyAreasDocument,
  ordinancesIndexDocument,
  type FeedPublisher,
} from './feed-source.js';
import { GEOJSON_CONTENT_TYPE } from './geojson.js';

/** Something asked for by id that does not exist (yet): nobody should remember its absence. */
function missing(what: string, id: string): RouteResponse {
  return {
    status: 404,
    headers: { 'cache-control': 'no-store' },
    json: { error: `No ${what} with id ${id}` },
  };
}

/** `filename` for Content-Disposition: ASCII fallback plus the RFC 5987 UTF-8 form. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7E]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** The feed routes of the service. */
export function feedRoutes(
  config: CivilProtectionConfig,
  requestContext: (request: ServiceRequest) => Promise<DatabaseRequestContext<EntityManager>>,
): Route[] {
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

  const maxAge = config.feedMaxAgeSeconds ?? DEFAULT_FEED_MAX_AGE_SECONDS;
  const feed = (
    path: string,
    contentType: string,
    render: (
      context: Awaited<ReturnType<typeof feedContext>>,
      request: ServiceRequest,
    ) => Promise<string | null>,
    what = 'document',
  ): Route => ({
    method: 'GET',
    path,
    async handler(request) {
      const body = await render(await feedContext(request), request);
      if (body === null) return missing(what, request.url.searchParams.get('id') ?? '');
      return cacheableFeed(request, contentType, body, maxAge);
    },
  });
  // Documents that show "now" are computed as of the start of the max-age window, so they stay
  // byte-identical (and their ETag valid) within it.
  const now = () => feedInstant(Date.now(), maxAge);

  return [
    feed(ALERTS_INDEX_PATH, ATOM_CONTENT_TYPE, ({ em, publisher }) =>
      alertsIndexDocument(em, publisher, now()),
    ),
    feed(
      ALERT_CAP_PATH,
      CAP_CONTENT_TYPE,
      ({ em, publisher }, request) =>
        alertCapDocument(em, publisher, request.url.searchParams.get('id') ?? ''),
      'alert',
    ),
    feed(EMERGENCY_AREAS_PATH, GEOJSON_CONTENT_TYPE, async ({ em }) =>
      JSON.stringify(await emergencyAreasDocument(em)),
    ),
    feed(ALERT_ZONES_PATH, GEOJSON_CONTENT_TYPE, async ({ em }) =>
      JSON.stringify(await alertZonesDocument(em)),
    ),
    feed(ORDINANCES_INDEX_PATH, ATOM_CONTENT_TYPE, ({ em, publisher }) =>
      ordinancesIndexDocument(em, publisher, now()),
    ),
    {
      method: 'GET',
      path: ORDINANCE_DOCUMENT_PATH,
      async handler(request) {
        const { em } = await feedContext(request);
        const id = request.url.searchParams.get('id') ?? '';
        const found = await publishedDocument(em, id);
        if (found === null) return missing('published document', id);
        return cacheableFeed(request, found.document.mediaType, found.content, maxAge, {
          cacheControl: DOCUMENT_CACHE_CONTROL,
          headers: {
            'content-disposition': contentDisposition(found.document.fileName),
            // The fingerprint published with the document (RFC 3230 style), for anyone checking a copy.
            digest: `sha-256=${Buffer.from(found.document.sha256, 'hex').toString('base64')}`,
          },
        });
      },
    },
  ];
}
