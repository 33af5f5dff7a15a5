import { z } from 'zod';
import { OFFICES, SCOPES, type AnonymousPrincipal, type Principal, type Scope } from './principal.js';

/** The JOSE `typ` header of every Sportello access token (RFC 9068): an ID token is not an access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/**
 * The claim giving, in epoch milliseconds, when the issuer checked what the token grants: `iat` is
 * whole seconds, so a token issued right after a revocation in the same second would otherwise be
 * taken as issued before it.
 */
export const ISSUED_AT_MS_CLAIM = 'iat_ms';

/**
 * When a token was issued, in (fractional) epoch seconds: its `iat_ms` when it agrees with `iat`
 * (not before it, at most a minute after), else `iat`, else 0.
 */
export function issuedAtOf(claims: Record<string, unknown>): number {
  const iat = claims['iat'];
  if (typeof iat !== 'number') return 0;
  const ms = claims[ISSUED_AT_MS_CLAIM];
  if (typeof ms === 'number' && ms >= iat * 1000 && ms < iat * 1000 + 60_000) return ms / 1000;
  return iat;
}

/** An authenticated principal: what a token can describe. */
export type TokenPrincipal = Exclude<Principal, AnonymousPrincipal>;

/** Shape only, as IO validates it: the check letter is the identity service's job when it issues the token. */
const fiscalCode = z
  .string()
  .regex(
    /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/,
    'must be an upper-case fiscal code',
  );
const fiscalCodes = z.array(fiscalCode).max(100, 'lists too many people');
const nonEmpty = z.string().min(1, 'must not be empty').max(200, 'is too long');

const common = {
  sub: nonEmpty,
  jti: nonEmpty,
  comune: z.string().regex(/^\d{6}$/, 'must be a 6-digit ISTAT code'),
};

const scopeList = z
  .string()
  .transform((value) => value.split(' ').filter((scope) => scope.length > 0))
  .pipe(z.array(z.enum(SCOPES, { error: `must list only ${SCOPES.join(', ')}` })));

const claimsSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      ...common,
      kind: z.literal('citizen'),
      fiscal_code: fiscalCode,
      acts_for: fiscalCodes.default([]),
    }),
    z.object({
      ...common,
      kind: z.literal('staff'),
      username: nonEmpty,
      offices: z.array(z.enum(OFFICES, { error: `must list only ${OFFICES.join(', ')}` })),
    }),
    z.object({
      ...common,
      kind: z.literal('client'),
      client_id: nonEmpty,
      scope: scopeList.default([]),
      on_behalf_of: z.object({ fiscal_code: fiscalCode, acts_for: fiscalCodes.default([]) }).optional(),
    }),
    z.object({
      ...common,
      kind: z.literal('service'),
      service: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lower-case service name'),
    }),
  ],
  { error: 'must be one of citizen, staff, client, service' },
);

/** The Sportello claims of an access token, as JSON (snake_case, like the registered claims). */
export type TokenClaims = z.input<typeof claimsSchema>;

/** Why a verified token's claims do not describe a principal, naming the claim but never its value. */
export class InvalidClaimsError extends Error {
  override readonly name = 'InvalidClaimsError';
  constructor(
    readonly claim: string,
    readonly problem: string,
  ) {
    super(`claim "${claim}" ${problem}`);
  }
}

/**
 * Maps verified JWT claims to a {@link Principal}.
 *
 * @throws {InvalidClaimsError} naming the first claim that does not fit (unknown kind, office or scope...).
 */
export function principalFromClaims(claims: Record<string, unknown>): TokenPrincipal {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const claim = issue.path.length > 0 ? issue.path.map(String).join('.') : 'kind';
    const problem = issue.code === 'invalid_type' && issue.input === undefined ? 'is missing' : issue.message;
    throw new InvalidClaimsError(claim, problem);
  }
  const token = parsed.data;
  switch (token.kind) {
    case 'citizen':
      return {
        kind: 'citizen',
        comune: token.comune,
        fiscalCode: token.fiscal_code,
        actsFor: token.acts_for,
        tokenId: token.jti,
      };
    case 'staff':
      return {
        kind: 'staff',
        comune: token.comune,
        username: token.username,
        offices: [...new Set(token.offices)],
        tokenId: token.jti,
      };
    case 'client':
      return {
        kind: 'client',
        comune: token.comune,
        clientId: token.client_id,
        scopes: [...new Set(token.scope)] as Scope[],
        ...(token.on_behalf_of === undefined
          ? {}
          : {
              onBehalfOf: {
                fiscalCode: token.on_behalf_of.fiscal_code,
                actsFor: token.on_behalf_of.acts_for,
              },
            }),
        tokenId: token.jti,
      };
    case 'service':
      return { kind: 'service', comune: token.comune, service: token.service, tokenId: token.jti };
  }
}

/**
 * The Sportello claims for a principal, for the issuer to sign (registered claims `iss`, `aud`,
 * `iat`, `exp` are added by the signer). `sub` is the stable subject: the fiscal code for citizens,
 * the username for staff, the client id for apps (the citizen's fiscal code when granted on their
 * behalf), the service name for services; pass `subject` to use another identifier.
 */
export function claimsForPrincipal(principal: TokenPrincipal, subject?: string): TokenClaims {
  const common = { jti: principal.tokenId, comune: principal.comune };
  switch (principal.kind) {
    case 'citizen':
      return {
        ...common,
        sub: subject ?? principal.fiscalCode,
        kind: 'citizen',
        fiscal_code: principal.fiscalCode,
        acts_for: principal.actsFor,
      };
    case 'staff':
      return {
        ...common,
        sub: subject ?? principal.username,
        kind: 'staff',
        username: principal.username,
        offices: principal.offices,
      };
    case 'client':
      return {
        ...common,
        sub: subject ?? principal.onBehalfOf?.fiscalCode ?? principal.clientId,
        kind: 'client',
        client_id: principal.clientId,
        scope: principal.scopes.join(' '),
        ...(principal.onBehalfOf === undefined
          ? {}
          : {
              on_behalf_of: {
                fiscal_code: principal.onBehalfOf.fiscalCode,
                acts_for: principal.onBehalfOf.actsFor,
              },
            }),
      };
    case 'service':
      return { ...common, sub: subject ?? principal.service, kind: 'service', service: principal.service };
  }
}
