/** Client credentials of the notifier at identity's token endpoint. */
export interface ServiceCredentials {
  /** Identity's base URL; the token endpoint is `<url>/oauth/token`. */
  identityUrl: string;
  /** @default 'sportello-notifier' */
  clientId?: string;
  clientSecret: string;
  /**
   * Headers proving the calls come from a Sportello service (the internal assertion), for services
   * behind the trust boundary. @default none
   */
  internalHeaders?: () => Record<string, string>;
}

/** Thrown when identity refuses the notifier's credentials or cannot be reached. */
export class ServiceTokenError extends Error {
  override readonly name = 'ServiceTokenError';
}

/** Service tokens of the notifier, one per comune, fetched on demand and reused until shortly before expiry. */
export interface ServiceTokens {
  /** A valid bearer token for `comune`. @throws ServiceTokenError */
  tokenFor(comune: string): Promise<string>;
  /** Forgets a token the server rejected (keys rotated, identity restarted). */
  invalidate(comune: string): void;
  /** Headers every call to another service carries besides the token (the internal assertion). */
  internalHeaders(): Record<string, string>;
}

/** Renew this long before a token expires, so a request never leaves with a dying token. */
const EARLY_RENEWAL_MS = 30_000;

/** Obtains `service` tokens with the OAuth client credentials grant (one per comune: tokens carry it). */
export function createServiceTokens(
  credentials: ServiceCredentials,
  now: () => number = Date.now,
): ServiceTokens {
  const cache = new Map<string, { token: string; expiresAt: number }>();
  const pending = new Map<string, Promise<string>>();
  const endpoint = new URL(
    'oauth/token',
    credentials.identityUrl.endsWith('/') ? credentials.identityUrl : `${credentials.identityUrl}/`,
  );

  const internalHeaders = credentials.internalHeaders ?? (() => ({}));

  async function fetchToken(comune: string): Promise<string> {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...internalHeaders() },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: credentials.clientId ?? 'sportello-notifier',
          client_secret: credentials.clientSecret,
          comune,
        }).toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ServiceTokenError(`identity token endpoint unreachable (${endpoint.origin})`, {
        cause: error,
      });
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      throw new ServiceTokenError(
        `identity refused the notifier's client credentials: HTTP ${response.status} ${body.error ?? ''}`.trim(),
      );
    }
    cache.set(comune, { token: body.access_token, expiresAt: now() + (body.expires_in ?? 300) * 1000 });
    return body.access_token;
  }

  return {
    async tokenFor(comune) {
      const cached = cache.get(comune);
      if (cached && cached.expiresAt - EARLY_RENEWAL_MS > now()) return cached.token;
      let request = pending.get(comune);
      if (!request) {
        request = fetchToken(comune).finally(() => pending.delete(comune));
        pending.set(comune, request);
      }
      return request;
    },
    invalidate(comune) {
      cache.delete(comune);
    },
    internalHeaders,
  };
}
