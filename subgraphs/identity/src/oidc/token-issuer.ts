import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ISSUED_AT_MS_CLAIM } from '@sportello/platform';
import { accessTokenClaims, type TokenGrant } from './claims.js';
import { SIGNING_ALGORITHM, type KeyRing } from './key-ring.js';

/** An issued access token, as the token endpoint returns it. */
export interface IssuedToken {
  accessToken: string;
  tokenId: string;
  expiresIn: number;
}

/** Signs Sportello access tokens with the key ring's active key. */
export class TokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly options: { issuer: string; audience: string; ttlSeconds: number },
  ) {}

  /** Issues a short-lived access token for a grant. */
  async issue(grant: TokenGrant, now = new Date()): Promise<IssuedToken> {
    const key = await this.keys.activeKey(now);
    const tokenId = randomUUID();
    const claims = { ...accessTokenClaims(grant, tokenId), [ISSUED_AT_MS_CLAIM]: now.getTime() };
    const issuedAt = Math.floor(now.getTime() / 1000);
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.options.ttlSeconds)
      .sign(key.privateKey);
    return { accessToken, tokenId, expiresIn: this.options.ttlSeconds };
  }
}
