import { createEvent } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus } from '../bus/in-process-bus.js';
import { createLogger } from '../logging/logger.js';
import { createRevocationView, type Revocation } from './revocations.js';
import { createTestIssuer, type TestIssuer } from '@sportello/test-support';
import type { TokenPrincipal } from './token-claims.js';
import { createTokenVerifier, type TokenVerifier } from './token-verifier.js';
import { UnauthenticatedError } from '../errors/client-errors.js';

const COMUNE = '058091';
const ISSUER = 'http://identity.test';
const AUDIENCE = 'sportello-api';
const MARIO = 'RSSMRA80A01H501U';
const ANNA = 'RSSNNA10A41H501S';
const logger = createLogger({ name: 'revocations-test', level: 'silent' });

const citizen = (fiscalCode: string, actsFor: string[] = []): TokenPrincipal => ({
  kind: 'citizen',
  comune: COMUNE,
  fiscalCode,
  actsFor,
  tokenId: `t-${fiscalCode}-${actsFor.length}`,
});
const staff: TokenPrincipal = {
  kind: 'staff',
  comune: COMUNE,
  username: 'pratiche.verdi',
  offices: ['practices'],
  tokenId: 's',
};
const app = (onBehalfOf?: { fiscalCode: string; actsFor: string[] }): TokenPrincipal => ({
  kind: 'client',
  comune: COMUNE,
  clientId: 'bus-times',
  scopes: ['openid'],
  ...(onBehalfOf ? { onBehalfOf } : {}),
  tokenId: 'a',
});

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: ISSUER, audience: AUDIENCE });
});

/** Why the verifier refused the token, or `accepted`. */
async function outcome(verifier: TokenVerifier, token: string): Promise<string> {
  try {
    await verifier.verifyToken(token);
    return 'accepted';
  } catch (error) {
    if (error instanceof UnauthenticatedError) return error.reason ?? 'refused';
    throw error;
  }
}

describe('revocations in the token verifier', () => {
  const bus = createInProcessBus();
  const view = createRevocationView({ bus, logger });
  let verifier: TokenVerifier;

  beforeAll(async () => {
    await view.start();
    verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.jwks,
      revocations: view,
    });
  });
  afterAll(async () => {
    await view.close();
    await bus.close();
  });

  const announce = async (data: Omit<Revocation, 'comune'>, comune = COMUNE) => {
    await bus.publish(
      createEvent('access.revoked', { comune, subject: 'test', actor: null, data: data as never }),
    );
  };

  it('ends the matching tokens issued before the revocation, and only those', async () => {
    const delegateActing = await issuer.sign(citizen(MARIO, [ANNA]));
    const delegateAlone = await issuer.sign(citizen(MARIO));
    const appForDelegate = await issuer.sign(app({ fiscalCode: MARIO, actsFor: [ANNA] }));
    const appForAnna = await issuer.sign(app({ fiscalCode: ANNA, actsFor: [] }));
    const clerk = await issuer.sign(staff);
    const appAlone = await issuer.sign(app());
    // Every token above is issued before the revocations below (a token signed a second later, on a
    // loaded machine, would rightly pass as issued after them).
    const now = new Date().toISOString();

    await announce({ reason: 'delegation-revoked', revokedAt: now, fiscalCode: MARIO, actsFor: ANNA });
    // The delegate's token acting for the delegator, theirs or an app's on their behalf: ended.
    expect(await outcome(verifier, delegateActing)).toBe('TOKEN_REVOKED');
    expect(await outcome(verifier, appForDelegate)).toBe('TOKEN_REVOKED');
    // Their own token, and the delegator's own app: untouched.
    expect(await outcome(verifier, delegateAlone)).toBe('accepted');
    expect(await outcome(verifier, appForAnna)).toBe('accepted');

    await announce({ reason: 'staff-disabled', revokedAt: now, username: 'pratiche.verdi' });
    expect(await outcome(verifier, clerk)).toBe('TOKEN_REVOKED');

    await announce({ reason: 'grant-revoked', revokedAt: now, clientId: 'bus-times', fiscalCode: ANNA });
    expect(await outcome(verifier, appForAnna)).toBe('TOKEN_REVOKED');

    await announce({ reason: 'client-revoked', revokedAt: now, clientId: 'bus-times' });
    expect(await outcome(verifier, appAlone)).toBe('CLIENT_REVOKED');
  });

  it('ends one revoked access token by its id, and no other token of the same person', async () => {
    const revoked = await issuer.sign({ ...citizen(MARIO), tokenId: 'sign-in-1' });
    const other = await issuer.sign({ ...citizen(MARIO), tokenId: 'sign-in-2' });
    const tram = { ...app({ fiscalCode: MARIO, actsFor: [] }), clientId: 'tram-times' } as TokenPrincipal;
    const appToken = await issuer.sign({ ...tram, tokenId: 'app-1' });
    const appOther = await issuer.sign({ ...tram, tokenId: 'app-2' });
    const now = new Date().toISOString();

    await announce({ reason: 'token-revoked', revokedAt: now, tokenId: 'sign-in-1' });
    await announce({ reason: 'token-revoked', revokedAt: now, tokenId: 'app-1', clientId: 'tram-times' });
    expect(await outcome(verifier, revoked)).toBe('TOKEN_REVOKED');
    expect(await outcome(verifier, appToken)).toBe('TOKEN_REVOKED');
    expect(await outcome(verifier, other)).toBe('accepted');
    expect(await outcome(verifier, appOther)).toBe('accepted');
    // A token of another comune that happens to carry the same id is not ended.
    expect(
      await outcome(
        verifier,
        await issuer.sign({ ...citizen(MARIO), comune: '015146', tokenId: 'sign-in-1' }),
      ),
    ).toBe('accepted');
  });

  it('lets a token issued after the revocation through (a new sign-in, a delegation granted again)', async () => {
    const before = new Date(Date.now() - 5_000).toISOString();
    await announce({ reason: 'signed-out', revokedAt: before, fiscalCode: 'VRDGLI90P49D969W' });
    expect(await outcome(verifier, await issuer.sign(citizen('VRDGLI90P49D969W')))).toBe('accepted');
    expect(
      await outcome(
        verifier,
        await issuer.sign(citizen('VRDGLI90P49D969W'), {
          claims: { iat: Math.floor(Date.now() / 1000) - 10 },
        }),
      ),
    ).toBe('TOKEN_REVOKED');
  });

  it('tells a token issued in the same second after the revocation from one before it, by iat_ms', async () => {
    const second = Math.floor(Date.now() / 1000) - 3;
    const revokedAt = new Date(second * 1000 + 500).toISOString();
    await announce({ reason: 'signed-out', revokedAt, fiscalCode: 'BNCLRA85M41D969E' });
    const issuedAt = (ms: number | undefined) =>
      issuer.sign(citizen('BNCLRA85M41D969E'), {
        claims: { iat: second, ...(ms === undefined ? {} : { iat_ms: second * 1000 + ms }) },
      });
    // A grant given again a moment after it was withdrawn works at once.
    expect(await outcome(verifier, await issuedAt(700))).toBe('accepted');
    expect(await outcome(verifier, await issuedAt(300))).toBe('TOKEN_REVOKED');
    // Whole seconds only: the same second counts as before.
    expect(await outcome(verifier, await issuedAt(undefined))).toBe('TOKEN_REVOKED');
    // An iat_ms that disagrees with iat is not believed.
    expect(await outcome(verifier, await issuedAt(-200))).toBe('TOKEN_REVOKED');
  });

  it("never ends another comune's tokens", async () => {
    await announce(
      { reason: 'staff-disabled', revokedAt: new Date().toISOString(), username: 'anagrafe.neri' },
      '015146',
    );
    const clerk = await issuer.sign({ ...staff, username: 'anagrafe.neri' });
    expect(await outcome(verifier, clerk)).toBe('accepted');
  });

  it('refuses tokens that live longer than an hour or claim to be issued in the future', async () => {
    expect(
      await outcome(verifier, await issuer.sign(citizen(ANNA), { expiresInSec: 10 * 365 * 86_400 })),
    ).toBe('TOKEN_LIFETIME_TOO_LONG');
    const future = Math.floor(Date.now() / 1000) + 3_600;
    expect(await outcome(verifier, await issuer.sign(citizen(ANNA), { claims: { iat: future } }))).toBe(
      'TOKEN_NOT_YET_VALID',
    );
    const old = Math.floor(Date.now() / 1000) - 2 * 3_600;
    expect(
      await outcome(
        verifier,
        await issuer.sign(citizen(ANNA), { claims: { iat: old, exp: old + 3_500 + 3_600 } }),
      ),
    ).not.toBe('accepted');
  });
});

describe('the revocation list', () => {
  it('is read at start, so a process started after a revocation refuses the token at once', async () => {
    const token = await issuer.sign(staff);
    const view = createRevocationView({
      logger,
      list: async () => [
        {
          comune: COMUNE,
          reason: 'staff-disabled',
          revokedAt: new Date().toISOString(),
          username: staff.kind === 'staff' ? staff.username : '',
        },
      ],
    });
    await view.start();
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.jwks,
      revocations: view,
    });
    expect(await outcome(verifier, token)).toBe('TOKEN_REVOKED');
    await view.close();
  });

  it('forgets revocations once no token they could end is acceptable', async () => {
    let now = Date.now();
    const revokedAt = new Date(now - 10_000).toISOString();
    const view = createRevocationView({
      logger,
      now: () => now,
      list: async () => [{ comune: COMUNE, reason: 'client-revoked', revokedAt, clientId: 'a' }],
    });
    await view.start();
    expect(view.size).toBe(1);
    now += 2 * 3_600_000;
    // Read again: what is older than every token still acceptable is dropped.
    await view.refresh();
    expect(view.size).toBe(0);
    await view.close();
  });

  it('forgets revoked tokens heard on the bus once they have run out, with no list to read again', async () => {
    let now = Date.now();
    const bus = createInProcessBus();
    const view = createRevocationView({ bus, logger, now: () => now });
    await view.start();
    const revoke = (tokenId: string) =>
      bus.publish(
        createEvent('access.revoked', {
          comune: COMUNE,
          subject: 'test',
          actor: null,
          data: { reason: 'token-revoked', revokedAt: new Date(now).toISOString(), tokenId },
        }),
      );
    for (let index = 0; index < 100; index += 1) await revoke(`old-${index}`);
    expect(view.size).toBe(100);
    now += 2 * 3_600_000;
    await revoke('new');
    // Only the revocation a live token could still meet is kept.
    expect(view.size).toBe(1);
    const token = await issuer.sign({ ...citizen(MARIO), tokenId: 'new' });
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: issuer.jwks,
      revocations: view,
    });
    expect(await outcome(verifier, token)).toBe('TOKEN_REVOKED');
    await view.close();
    await bus.close();
  });

  it('still starts when identity cannot be reached', async () => {
    const view = createRevocationView({ logger, list: new URL('http://127.0.0.1:9/internal/revocations') });
    await view.start();
    expect(view.size).toBe(0);
    await view.close();
  });
});
