import { HeaderMap } from '@apollo/server';
import { type EntityManager } from '@mikro-orm/core';
import { createLoggingAuditSink, type AuditSink } from '../auth/audit.js';
import { type Principal } from '../auth/principal.js';
import { type TokenVerifier } from '../auth/token-verifier.js';
import { BadUserInputError, ForbiddenError, UnauthenticatedError } from '../errors/client-errors.js';
import { type Logger } from '../logging/logger.js';
import { type ServiceRequest } from './service-request.js';

/** What every subgraph resolver gets. */
export interface RequestContext {
  /** The verified caller; anonymous when no token was sent. */
  principal: Principal;
  /** The comune the request works for: the token's, or for anonymous callers `x-comune` / the default. */
  comune: string;
  requestId: string;
  /** A child logger bound to the request id, comune and principal kind. */
  log: Logger;
  /** Where staff reads of personal data are recorded (see `authorizePersonalDataRead`). */
  audit: AuditSink;
}

/** {@link RequestContext} of a subgraph with a database: one EntityManager per request, scoped to the comune. */
export interface DatabaseRequestContext<EM extends EntityManager = EntityManager> extends RequestContext {
  em: EM;
}

/** The part of `createDatabase(...)` the context needs. */
export interface ForkableDatabase<EM extends EntityManager = EntityManager> {
  fork(scope: { comune: string }): EM;
}

export interface RequestContextOptions {
  verifier: TokenVerifier;
  /** ISTAT code for anonymous requests that do not name a comune. */
  defaultComune: string;
  logger: Logger;
  /** @default a logging sink on `logger` */
  audit?: AuditSink;
}

/** Header an anonymous caller (a public website, an app without a token) uses to pick a comune. */
export const COMUNE_HEADER = 'x-comune';

/**
 * A context factory for `createServiceServer`: verifies the bearer token of each request and
 * builds its {@link RequestContext} (with a forked, comune-scoped EntityManager when a database is
 * given). A rejected token fails the request with HTTP 401 and an `UNAUTHENTICATED` error whose
 * `extensions.reason` says why; a malformed `x-comune` with 400; an `x-comune` other than the
 * token's comune with 403 (`COMUNE_MISMATCH`).
 */
export function createRequestContextFactory<EM extends EntityManager>(
  options: RequestContextOptions & { database: ForkableDatabase<EM> },
): (request: ServiceRequest) => Promise<DatabaseRequestContext<EM>>;
export function createRequestContextFactory(
  options: RequestContextOptions & { database?: undefined },
): (request: ServiceRequest) => Promise<RequestContext>;
export function createRequestContextFactory(
  options: RequestContextOptions & { database?: ForkableDatabase },
): (request: ServiceRequest) => Promise<RequestContext | DatabaseRequestContext> {
  const audit = options.audit ?? createLoggingAuditSink(options.logger);

  return async (request) => {
    const requested = request.header(COMUNE_HEADER)?.trim();
    if (requested !== undefined && requested !== '' && !/^\d{6}$/.test(requested)) {
      throw new BadUserInputError(`Header ${COMUNE_HEADER} must be a 6-digit ISTAT code`, {
        field: COMUNE_HEADER,
        http: { status: 400 },
      });
    }
    let principal: Principal;
    try {
      principal = await options.verifier.verify(request.header('authorization'), {
        comune: requested || options.defaultComune,
      });
    } catch (error) {
      if (!(error instanceof UnauthenticatedError)) throw error;
      // RFC 6750: tell the client which token problem to fix, over HTTP as well.
      throw new UnauthenticatedError(error.message, {
        reason: error.reason,
        http: {
          status: 401,
          headers: new HeaderMap([
            [
              'www-authenticate',
              `Bearer error="invalid_token", error_description="${error.reason ?? 'invalid'}"`,
            ],
          ]),
        },
      });
    }
    // A token is valid for one comune: the header cannot widen it.
    if (principal.kind !== 'anonymous' && requested && requested !== principal.comune) {
      throw new ForbiddenError(`Your access token is for comune ${principal.comune}, not ${requested}`, {
        reason: 'COMUNE_MISMATCH',
        http: { status: 403 },
      });
    }
    const comune = principal.comune;
    const log = options.logger.child({ requestId: request.requestId, comune, principal: principal.kind });
    const context: RequestContext = { principal, comune, requestId: request.requestId, log, audit };
    return options.database === undefined ? context : { ...context, em: options.database.fork({ comune }) };
  };
}
