import { claimsForPrincipal, type Office, type Scope } from '@sportello/platform';

/** Who an access token is issued to, before it becomes JWT claims. */
export type TokenGrant =
  | { kind: 'citizen'; comune: string; fiscalCode: string; actsFor: string[] }
  | { kind: 'staff'; comune: string; username: string; offices: Office[] }
  | {
      kind: 'client';
      comune: string;
      clientId: string;
      scopes: Scope[];
      rateLimitPerMinute: number;
      onBehalfOf?: { fiscalCode: string; actsFor: string[] };
    }
  | { kind: 'service'; comune: string; service: string };

/**
 * The claims of a Sportello access token besides `iss`, `aud`, `iat`, `exp` (added by the
 * signer): the platform's claim set (`sub`, `jti`, `kind`, `comune` and the kind's own claims)
 * plus, for apps, `rate_limit`, the requests per minute the gateway lets through for the client.
 */
export function accessTokenClaims(grant: TokenGrant, tokenId: string): Record<string, unknown> {
  const claims: Record<string, unknown> = { ...claimsForPrincipal({ ...grant, tokenId }) };
  if (grant.kind === 'client') claims.rate_limit = grant.rateLimitPerMinute;
  return claims;
}
