import type { IncomingMessage } from 'node:http';
import {
  httpStatusOfCode,
  isClientError,
  type ClientError,
  type DatabaseRequestContext,
  type EntityManager,
  type Route,
  type RouteResponse,
  type ServiceRequest,
  todayIn,
} from '@sportello/platform';
import { createAnagrafeContext, type AnagrafeSettings } from '../context.js';
import { certificatePdf, verifyCertificate } from '../domain/certificate-operations.js';
import { authorizeRecordRead, citizenOf } from '../domain/access.js';
import { CertificateEntity } from '../entities/certificate.entity.js';
import { certificateNotFound } from '../errors.js';

/** Internal path the PDF route is served on; `/certificates/<id>.pdf` is rewritten to it. */
export const CERTIFICATE_PDF_ROUTE = '/certificates/pdf';
/** Public JSON verification of a code: `GET /certificates/verify?code=`. */
export const CERTIFICATE_VERIFY_ROUTE = '/certificates/verify';

const PDF_PATH = /^\/certificates\/([0-9a-f-]{36})\.pdf$/i;

/**
 * Rewrites `GET /certificates/<id>.pdf` to the exact-path route {@link CERTIFICATE_PDF_ROUTE}
 * (`?id=<id>`), since service routes match whole paths. Attach it before the service server's own
 * request listener.
 */
export function rewriteCertificatePath(raw: IncomingMessage): void {
  const url = new URL(raw.url ?? '/', 'http://service');
  const match = PDF_PATH.exec(url.pathname);
  if (match === null) return;
  url.pathname = CERTIFICATE_PDF_ROUTE;
  url.searchParams.set('id', match[1]!.toLowerCase());
  raw.url = `${url.pathname}${url.search}`;
}

function errorResponse(error: ClientError): RouteResponse {
  return {
    status: httpStatusOfCode(error.code),
    json: { errors: [{ message: error.message, extensions: { code: error.code } }] },
  };
}

/** The certificate routes, answering like the GraphQL fields (same rights, same error codes). */
export function createCertificateRoutes(options: {
  requestContext: (request: ServiceRequest) => Promise<DatabaseRequestContext<EntityManager>>;
  settings: AnagrafeSettings;
}): Route[] {
  const { requestContext, settings } = options;
  return [
    {
      method: 'GET',
      path: CERTIFICATE_PDF_ROUTE,
      async handler(request) {
        try {
          const ctx = createAnagrafeContext(await requestContext(request), settings);
          const id = request.url.searchParams.get('id') ?? '';
          const certificate = /^[0-9a-f-]{36}$/.test(id)
            ? await ctx.em.findOne(CertificateEntity, { id })
            : null;
          if (certificate === null) throw certificateNotFound(id);
          // The requester keeps access to what they obtained; otherwise the holder's rights apply.
          if (citizenOf(ctx.principal) !== certificate.requesterFiscalCode) {
            await authorizeRecordRead(
              ctx,
              certificate.holderFiscalCode,
              'certificates',
              `Certificate:${certificate.id}`,
            );
          }
          // A staff download is not answered unless its audit event is stored.
          await ctx.audit.flush?.();
          const pdf = await certificatePdf(
            certificate,
            settings.comuneNames[certificate.comune] ?? certificate.comune,
            settings.certificateVerificationUrl,
          );
          return {
            status: 200,
            headers: {
              'content-type': 'application/pdf',
              'content-disposition': `attachment; filename="certificato-${certificate.verificationCode}.pdf"`,
              'cache-control': 'private, no-store',
            },
            body: pdf,
          };
        } catch (error) {
          if (isClientError(error)) return errorResponse(error);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: CERTIFICATE_VERIFY_ROUTE,
      async handler(request) {
        try {
          const base = await requestContext(request);
          const code = request.url.searchParams.get('code') ?? '';
          const verification = await verifyCertificate(base.em, code, todayIn(settings.timeZone));
          if (verification === null) {
            return { status: 404, json: { error: 'No certificate has this verification code.' } };
          }
          return { status: 200, json: verification };
        } catch (error) {
          if (isClientError(error)) return errorResponse(error);
          throw error;
        }
      },
    },
  ];
}
