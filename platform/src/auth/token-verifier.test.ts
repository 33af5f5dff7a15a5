import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UnauthenticatedError } from '../errors/client-errors.js';
import { type JSONWebKeySet } from 'jose';
import { type Principal } from './principal.js';
import {
  BAD_TOKEN_KINDS,
  createTestIssuer,
  type BadTokenKind,
  type TestIssuer,
} from '@sportello/test-support';
import { createRevocationView } from './revocations.js';
import { type TokenPrincipal } from './token-claims.js';
import { createTokenVerifier, type TokenRejectionReason, type TokenVerifier } from './token-verifier.js';

const ISSUER = 'http://127.0.0.1:4001';
const AUDIENCE = 'sportello-api';
const ROMA = '058091';

const citizen: TokenPrincipal = {
  kind: 'citizen',
  comune: ROMA,
  fiscalCode: 'RSSMRA80A01H501U',
  actsFor: ['RSSMRA80B01F2LRC'],
  tokenId: 't-citizen',
};
const staff: TokenPrincipal = {
  kind: 'staff',
  comune: ROMA,
  username: 'lbianchi',
  offices: ['anagrafe', 'admin'],
  tokenId: 't-staff',
};
const app: TokenPrincipal = {
  kind: 'client',
  comune: ROMA,
  clientId: 'app-tributi',
  scopes: ['openid', 'tributi'],
  onBehalfOf: { fiscalCode: 'RSSMRA80A01H501U', actsFor: [] },
  tokenId: 't-app',
};
const machine: TokenPrincipal = {
  kind: 'client',
  comune: ROMA,
  clientId: 'open-data',
  scopes: [],
  tokenId: 't-m2m',
};
const notifier: TokenPrincipal = { kind: 'service', comune: ROMA, service: 'notifier', tokenId: 't-svc' };

let issuer: TestIssuer;
let verifier: TokenVerifier;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
  verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks });
});

async function rejection(promise: Promise<unknown>): Promise<UnauthenticatedError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof UnauthenticatedError))
    throw new Error(`expected an UnauthenticatedError, got ${String(error)}`);
  return error;
}

describe('createTokenVerifier', () => {
  it.each([
    ['citizen', citizen],
    ['staff', staff],
    ['client acting for a citizen', app],
    ['client credentials', machine],
    ['service', notifier],
  ])('accepts a good %s token and returns its principal', async (_label, principal) => {
    await expect(verifier.verify(await issuer.bearer(principal), { comune: '001272' })).resolves.toEqual(
      principal,
    );
  });

  it('treats a missing or empty Authorization header as anonymous for the given comune', async () => {
    const anonymous: Principal = { kind: 'anonymous', comune: '001272' };
    await expect(verifier.verify(undefined, { comune: '001272' })).resolves.toEqual(anonymous);
    await expect(verifier.verify('  ', { comune: '001272' })).resolves.toEqual(anonymous);
  });

  it('accepts the Bearer scheme in any case and a bare token through verifyToken', async () => {
    const token = await issuer.sign(citizen);
    await expect(verifier.verify(`bearer ${token}`, { comune: ROMA })).resolves.toEqual(citizen);
    await expect(verifier.verifyToken(token)).resolves.toEqual(citizen);
  });

  const expectedReasons: Record<BadTokenKind, TokenRejectionReason> = {
    expired: 'TOKEN_EXPIRED',
    'not-yet-valid': 'TOKEN_NOT_YET_VALID',
    'wrong-issuer': 'WRONG_ISSUER',
    'wrong-audience': 'WRONG_AUDIENCE',
    'wrong-type': 'WRONG_TOKEN_TYPE',
    'alg-none': 'ALGORITHM_NOT_ALLOWED',
    'alg-confusion': 'ALGORITHM_NOT_ALLOWED',
    'unknown-key': 'UNKNOWN_KEY',
    'bad-signature': 'BAD_SIGNATURE',
    malformed: 'MALFORMED_TOKEN',
    'invalid-claims': 'INVALID_CLAIMS',
  };

  it.each(BAD_TOKEN_KINDS)('rejects a %s token with its reason, without echoing the token', async (kind) => {
    const token = await issuer.badToken(kind, citizen);
    const error = await rejection(verifier.verify(`Bearer ${token}`, { comune: ROMA }));
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: expectedReasons[kind] });
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(citizen.fiscalCode);
  });

  it('names the algorithm it refused', async () => {
    const none = await rejection(verifier.verifyToken(await issuer.badToken('alg-none', citizen)));
    expect(none.message).toBe(
      'The access token is signed with algorithm "none", which is not accepted (accepted: ES256, RS256).',
    );
    const confusion = await rejection(verifier.verifyToken(await issuer.badToken('alg-confusion', citizen)));
    expect(confusion.message).toContain('"HS256"');
  });

  it('rejects an Authorization header that is not a bearer token', async () => {
    const error = await rejection(verifier.verify('Basic dXNlcjpwYXNz', { comune: ROMA }));
    expect(error.extensions.reason).toBe('MALFORMED_TOKEN');
    expect(error.message).toBe('The Authorization header must be "Bearer <access token>".');
  });

  it.each([
    ['kind', { kind: 'superuser' }, 'claim "kind" must be one of citizen, staff, client, service'],
    ['offices', { offices: ['anagrafe', 'police'] }, 'claim "offices.1" must list only'],
    ['comune', { comune: 'Roma' }, 'claim "comune" must be a 6-digit ISTAT code'],
    ['jti', { jti: undefined }, 'claim "jti" is missing'],
  ])('rejects staff claims that do not fit (%s)', async (_label, claims, message) => {
    const error = await rejection(verifier.verifyToken(await issuer.sign(staff, { claims })));
    expect(error.extensions.reason).toBe('INVALID_CLAIMS');
    expect(error.message).toContain(message);
  });

  it.each([
    ['unknown scope', { scope: 'openid admin' }, 'claim "scope.1" must list only'],
    [
      'malformed on_behalf_of',
      { on_behalf_of: { fiscal_code: 'rssmra80a01h501u' } },
      'claim "on_behalf_of.fiscal_code"',
    ],
  ])('rejects client claims that do not fit (%s)', async (_label, claims, message) => {
    const error = await rejection(verifier.verifyToken(await issuer.sign(app, { claims })));
    expect(error.extensions.reason).toBe('INVALID_CLAIMS');
    expect(error.message).toContain(message);
  });

  it('rejects a citizen token without a fiscal code', async () => {
    const error = await rejection(
      verifier.verifyToken(await issuer.sign(citizen, { claims: { fiscal_code: undefined } })),
    );
    expect(error.message).toBe('The access token is not acceptable: claim "fiscal_code" is missing.');
  });

  it('tolerates a little clock skew, not more', async () => {
    await expect(verifier.verifyToken(await issuer.sign(citizen, { expiresInSec: -2 }))).resolves.toEqual(
      citizen,
    );
    const strict = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.jwks,
      clockToleranceSec: 0,
    });
    const error = await rejection(strict.verifyToken(await issuer.sign(citizen, { expiresInSec: -2 })));
    expect(error.extensions.reason).toBe('TOKEN_EXPIRED');
  });

  describe('lifetime and issue time', () => {
    const nowSec = () => Math.floor(Date.now() / 1000);

    it('refuses a token that lives ten years, naming the problem', async () => {
      const token = await issuer.sign(citizen, { expiresInSec: 10 * 365 * 86_400 });
      const error = await rejection(verifier.verify(`Bearer ${token}`, { comune: ROMA }));
      expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_LIFETIME_TOO_LONG' });
      expect(error.message).toContain('longer than the 3660 s this API accepts');
    });

    it("accepts the longest token identity can issue (an hour) and refuses one a bit longer than the verifier's maximum", async () => {
      await expect(verifier.verifyToken(await issuer.sign(staff, { expiresInSec: 3600 }))).resolves.toEqual(
        staff,
      );
      const shortLived = createTokenVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: issuer.jwks,
        maxTokenAgeSec: 900,
      });
      await expect(shortLived.verifyToken(await issuer.sign(staff, { expiresInSec: 900 }))).resolves.toEqual(
        staff,
      );
      const error = await rejection(shortLived.verifyToken(await issuer.sign(staff, { expiresInSec: 901 })));
      expect(error.extensions.reason).toBe('TOKEN_LIFETIME_TOO_LONG');
    });

    it('refuses a token issued in the future beyond a minute of clock skew, and accepts one within it', async () => {
      const future = nowSec() + 3600;
      const error = await rejection(
        verifier.verify(await issuer.bearer(citizen, { claims: { iat: future, exp: future + 300 } }), {
          comune: ROMA,
        }),
      );
      expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_NOT_YET_VALID' });
      expect(error.message).toContain('issued in the future');

      // The issuer's clock 30 s ahead of this one: still the same token.
      const ahead = nowSec() + 30;
      await expect(
        verifier.verifyToken(await issuer.sign(citizen, { claims: { iat: ahead, exp: ahead + 300 } })),
      ).resolves.toEqual(citizen);
      const strict = createTokenVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: issuer.jwks,
        issuedAtSkewSec: 10,
      });
      const refused = await rejection(
        strict.verifyToken(await issuer.sign(citizen, { claims: { iat: ahead, exp: ahead + 300 } })),
      );
      expect(refused.extensions.reason).toBe('TOKEN_NOT_YET_VALID');
    });

    it('refuses a token issued long ago whose expiry was set far enough to still be valid', async () => {
      const old = nowSec() - 2 * 3600;
      const error = await rejection(
        verifier.verifyToken(await issuer.sign(citizen, { claims: { iat: old, exp: old + 3660 + 3600 } })),
      );
      expect(error.extensions.reason).toBe('TOKEN_LIFETIME_TOO_LONG');
    });

    it('refuses a token whose iat is not a number', async () => {
      const error = await rejection(
        verifier.verifyToken(await issuer.sign(citizen, { claims: { iat: 'now' } })),
      );
      expect(error.extensions.reason).toBe('INVALID_CLAIMS');
      expect(error.message).toBe('The access token is not acceptable: claim "iat" is invalid.');
    });
  });

  it('accepts a token listing several audiences including its own', async () => {
    const token = await issuer.sign(staff, { claims: { aud: ['other', AUDIENCE] } });
    await expect(verifier.verifyToken(token)).resolves.toEqual(staff);
  });

  it('refuses to be configured with a symmetric algorithm', () => {
    expect(() =>
      createTokenVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: issuer.jwks,
        algorithms: ['ES256', 'HS256'],
      }),
    ).toThrow('only asymmetric algorithms can be verified with a JWKS, got HS256');
  });
});

describe('tokens already verified', () => {
  const quiet = { info: () => undefined, warn: () => undefined };
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('checks a signature once while the token is remembered, and its revocation at every use', async () => {
    const revocations = createRevocationView({ logger: quiet });
    const remembering = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.jwks,
      revocations,
    });
    const signatures = vi.spyOn(crypto.subtle, 'verify');
    const token = await issuer.sign(citizen);
    for (let i = 0; i < 3; i++) await expect(remembering.verifyToken(token)).resolves.toEqual(citizen);
    expect(signatures).toHaveBeenCalledTimes(1);
    // Another token is another check; a changed copy of the remembered one is checked, and refused.
    await expect(remembering.verifyToken(await issuer.sign(staff))).resolves.toEqual(staff);
    expect(signatures).toHaveBeenCalledTimes(2);
    const tampered = `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect((await rejection(remembering.verifyToken(tampered))).extensions.reason).toBe('BAD_SIGNATURE');

    revocations.add({
      comune: ROMA,
      reason: 'signed-out',
      revokedAt: new Date(Date.now() + 1_000).toISOString(),
      fiscalCode: citizen.kind === 'citizen' ? citizen.fiscalCode : '',
    });
    expect((await rejection(remembering.verifyToken(token))).extensions.reason).toBe('TOKEN_REVOKED');
  });

  it('refuses a remembered token once it expires, and checks its signature again after a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const remembering = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks });
    const token = await issuer.sign(staff, { expiresInSec: 300 });
    const signatures = vi.spyOn(crypto.subtle, 'verify');
    await expect(remembering.verifyToken(token)).resolves.toEqual(staff);
    vi.setSystemTime(Date.now() + 59_000);
    await expect(remembering.verifyToken(token)).resolves.toEqual(staff);
    expect(signatures).toHaveBeenCalledTimes(1);
    vi.setSystemTime(Date.now() + 2_000);
    await expect(remembering.verifyToken(token)).resolves.toEqual(staff);
    expect(signatures).toHaveBeenCalledTimes(2);
    vi.setSystemTime(Date.now() + 300_000);
    expect((await rejection(remembering.verifyToken(token))).extensions.reason).toBe('TOKEN_EXPIRED');
  });

  it('checks every signature when told to remember none', async () => {
    const checking = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.jwks,
      verifiedTokenCacheSec: 0,
    });
    const signatures = vi.spyOn(crypto.subtle, 'verify');
    const token = await issuer.sign(citizen);
    await checking.verifyToken(token);
    await checking.verifyToken(token);
    expect(signatures).toHaveBeenCalledTimes(2);
  });
});

describe('key sources', () => {
  let served: { url: URL; close(): Promise<void> };
  beforeAll(async () => {
    served = await issuer.serveJwks();
  });
  afterAll(async () => {
    await served.close();
  });

  it('fetches keys from a JWKS URL', async () => {
    const remote = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: served.url });
    await expect(remote.verifyToken(await issuer.sign(staff))).resolves.toEqual(staff);
    const error = await rejection(remote.verifyToken(await issuer.badToken('unknown-key', staff)));
    expect(error.extensions.reason).toBe('UNKNOWN_KEY');
  });

  it('reports an unreachable JWKS as an outage, not as the caller fault', async () => {
    const unreachable = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: new URL('http://127.0.0.1:9/.well-known/jwks.json'),
      jwksTimeoutMs: 1000,
    });
    const error = await unreachable.verifyToken(await issuer.sign(staff)).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toBe('Token verification failed: the signing keys could not be loaded');
  });

  it('reloads keys from a provider when the issuer rotates them', async () => {
    const rotated = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
    let current: JSONWebKeySet = issuer.jwks;
    let loads = 0;
    const provided = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: async () => {
        loads += 1;
        return current;
      },
      jwksCooldownSec: 0,
    });
    await expect(provided.verifyToken(await issuer.sign(citizen))).resolves.toEqual(citizen);
    await expect(provided.verifyToken(await issuer.sign(staff))).resolves.toEqual(staff);
    expect(loads).toBe(1);

    current = rotated.jwks;
    await expect(provided.verifyToken(await rotated.sign(citizen))).resolves.toEqual(citizen);
    expect(loads).toBe(2);
    const old = await rejection(provided.verifyToken(await issuer.sign(citizen)));
    expect(old.extensions.reason).toBe('UNKNOWN_KEY');
  });
});
