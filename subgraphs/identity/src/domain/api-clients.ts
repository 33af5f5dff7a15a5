import { randomBytes } from 'node:crypto';
import {
  BadUserInputError,
  NotFoundError,
  readScopeOf,
  SCOPES,
  WRITE_SCOPES,
  type EntityManager,
  type Scope,
} from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { ApiClientEntity, type ApiClient } from '../entities/api-client.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';
import { revokeClientTokens } from '../oidc/refresh-tokens.js';
import { generateClientSecret, hashClientSecret } from './secrets.js';

/** What an admin registers. */
export interface ApiClientRegistration {
  name: string;
  scopes: string[];
  redirectUris: string[];
  rateLimitPerMinute: number;
  confidential: boolean;
  firstParty: boolean;
  /** Fixed id (seeding); generated otherwise. */
  clientId?: string;
  /** Fixed secret (seeding a known demo client); generated otherwise. */
  secret?: string;
}

function redirectUriProblem(uri: string): string | undefined {
  if (!URL.canParse(uri)) return 'is not an absolute URL';
  const url = new URL(uri);
  if (url.hash !== '') return 'must not contain a fragment';
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return 'must use https (plain http only on loopback, for native apps)';
  }
  return undefined;
}

/**
 * The write scopes of `scopes` listed without their read scope, as `practices:write needs
 * practices`; `null` when there are none. Every operation a write scope allows also reads what it
 * changes, so a write scope alone is of no use to an app.
 */
export function writeScopesWithoutRead(scopes: readonly string[]): string | null {
  const unread = WRITE_SCOPES.filter(
    (scope) => scopes.includes(scope) && !scopes.includes(readScopeOf(scope)),
  );
  return unread.length === 0
    ? null
    : unread.map((scope) => `${scope} needs ${readScopeOf(scope)}`).join(', ');
}

/**
 * Registers an API client; the secret is returned this once and stored only as a hash.
 *
 * @throws {BadUserInputError} naming the bad field (an empty name or scope list, an unknown scope, a
 * write scope without its read scope, a redirect URI that is not https or loopback...).
 */
export async function registerApiClient(
  em: EntityManager,
  comune: string,
  input: ApiClientRegistration,
): Promise<{ client: ApiClient; clientSecret: string | null }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100)
    throw new BadUserInputError('name must be 1-100 characters', { field: 'input.name' });
  if (input.scopes.length === 0) {
    throw new BadUserInputError(
      'scopes must list at least one scope (OPENID for an app that only signs citizens in)',
      { field: 'input.scopes' },
    );
  }
  const unknown = input.scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0)
    throw new BadUserInputError(`unknown scopes: ${unknown.join(', ')}`, { field: 'input.scopes' });
  const unread = writeScopesWithoutRead(input.scopes);
  if (unread !== null) {
    throw new BadUserInputError(`a write scope goes with its read scope: ${unread}`, {
      field: 'input.scopes',
    });
  }
  input.redirectUris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) {
      throw new BadUserInputError(`redirect URI ${index + 1} ${problem}`, {
        field: ['input', 'redirectUris', index],
      });
    }
  });
  if (!input.confidential && input.redirectUris.length === 0) {
    throw new BadUserInputError('a public client needs at least one redirect URI', {
      field: 'input.redirectUris',
    });
  }
  if (
    !Number.isInteger(input.rateLimitPerMinute) ||
    input.rateLimitPerMinute < 1 ||
    input.rateLimitPerMinute > 100_000
  ) {
    throw new BadUserInputError('rateLimitPerMinute must be an integer from 1 to 100000', {
      field: 'input.rateLimitPerMinute',
    });
  }
  const clientSecret = input.confidential ? (input.secret ?? generateClientSecret()) : null;
  const client = em.create(ApiClientEntity, {
    comune,
    clientId: input.clientId ?? `app_${randomBytes(12).toString('base64url')}`,
    name,
    secretHash: clientSecret === null ? null : await hashClientSecret(clientSecret),
    scopes: [...new Set(input.scopes)] as Scope[],
    redirectUris: input.redirectUris,
    rateLimitPerMinute: input.rateLimitPerMinute,
    firstParty: input.firstParty,
    revokedAt: null,
  });
  await em.flush();
  return { client, clientSecret };
}

/** Loads a client of the EM's comune. @throws {NotFoundError} */
export async function requireApiClient(em: EntityManager, clientId: string): Promise<ApiClient> {
  const client = await em.findOne(ApiClientEntity, { clientId });
  if (client === null) throw new NotFoundError('no API client with this id');
  return client;
}

/**
 * Revokes a client: its secret stops working and its live tokens are refused, here and, through
 * `access.revoked`, by the gateway and every service; identity's records of those tokens say they
 * are revoked (see {@link revokeClientTokens}). Idempotent: a second call changes and announces
 * nothing.
 */
export async function revokeApiClient(
  em: EntityManager,
  clientId: string,
  actor: Actor | null,
  now = new Date(),
): Promise<ApiClient> {
  const client = await requireApiClient(em, clientId);
  if (client.revokedAt === null) {
    client.revokedAt = now;
    await revokeClientTokens(em, client, now);
    recordAccessRevoked(
      em,
      client.comune,
      { reason: 'client-revoked', revokedAt: now.toISOString(), clientId: client.clientId },
      actor,
    );
    await em.flush();
  }
  return client;
}
