import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { UpstreamProvider } from '../config.js';
import { UpstreamProviderError } from '../errors.js';
import { sameSecret } from './constant-time.js';

interface UpstreamMetadata {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
}

/** What identity learns from a SPID/CIE login. */
export interface UpstreamIdentity {
  claims: Record<string, unknown>;
}

/** Where identity signs people in upstream, and as whom. */
export type UpstreamEndpoint = Pick<UpstreamProvider, 'issuer' | 'clientId' | 'clientSecret' | 'scope'>;

/**
 * Client of an upstream OpenID provider (a SPID/CIE gateway, or the comune's own provider for
 * staff): builds the authorization redirect and exchanges the code for the person's claims,
 * checking the ID token's signature, issuer, audience and nonce.
 */
export class UpstreamClient {
  private metadata: Promise<UpstreamMetadata> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  /** @param identifyingClaim the claim naming the person (fiscal code, staff username); userinfo completes the ID token when it lacks it */
  constructor(
    private readonly provider: UpstreamEndpoint,
    private readonly identifyingClaim: string,
    private readonly callbackUrl: string,
  ) {}

  private discover(): Promise<UpstreamMetadata> {
    this.metadata ??= (async () => {
      const url = `${this.provider.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new UpstreamProviderError(`upstream discovery answered ${response.status}`);
      const body = (await response.json()) as Partial<UpstreamMetadata>;
      if (!body.authorization_endpoint || !body.token_endpoint || !body.jwks_uri) {
        throw new UpstreamProviderError(
          'upstream discovery document lacks authorization, token or jwks endpoints',
        );
      }
      return body as UpstreamMetadata;
    })();
    // A failed discovery is retried on the next login instead of sticking.
    this.metadata.catch(() => {
      this.metadata = undefined;
    });
    return this.metadata;
  }

  /** The URL sending the browser to the upstream login. */
  async authorizationUrl(params: { state: string; nonce: string; codeChallenge: string }): Promise<string> {
    const metadata = await this.discover();
    const url = new URL(metadata.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.provider.clientId,
      redirect_uri: this.callbackUrl,
      scope: this.provider.scope,
      state: params.state,
      nonce: params.nonce,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  /**
   * Exchanges the upstream code and returns the verified claims (ID token, completed by userinfo
   * when the identifying claim is not in it).
   *
   * @throws {UpstreamProviderError} when the upstream refuses or answers something unverifiable.
   */
  async exchange(code: string, verifier: string, nonce: string): Promise<UpstreamIdentity> {
    const metadata = await this.discover();
    const response = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(
          `${encodeURIComponent(this.provider.clientId)}:${encodeURIComponent(this.provider.clientSecret)}`,
        ).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.callbackUrl,
        code_verifier: verifier,
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new UpstreamProviderError(`upstream token endpoint answered ${response.status}`);
    const tokens = (await response.json()) as { id_token?: unknown; access_token?: unknown };
    if (typeof tokens.id_token !== 'string') throw new UpstreamProviderError('upstream returned no ID token');
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(tokens.id_token, this.jwks, {
        issuer: this.provider.issuer,
        audience: this.provider.clientId,
      }));
    } catch (error) {
      throw new UpstreamProviderError(`upstream ID token did not verify: ${(error as Error).message}`);
    }
    if (typeof payload.nonce !== 'string' || !sameSecret(payload.nonce, nonce))
      throw new UpstreamProviderError('upstream ID token carries the wrong nonce');
    const claims: Record<string, unknown> = { ...payload };
    if (
      claims[this.identifyingClaim] === undefined &&
      metadata.userinfo_endpoint &&
      typeof tokens.access_token === 'string'
    ) {
      const info = await fetch(metadata.userinfo_endpoint, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
        signal: AbortSignal.timeout(5000),
      });
      if (info.ok) Object.assign(claims, (await info.json()) as Record<string, unknown>);
    }
    return { claims };
  }
}
