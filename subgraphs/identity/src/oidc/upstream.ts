import * as oidc from 'openid-client';
import type { UpstreamProvider } from '../config.js';
import { UpstreamProviderError } from '../errors.js';

/** What identity learns from a SPID/CIE login. */
export interface UpstreamIdentity {
  claims: Record<string, unknown>;
}

/** Where identity signs people in upstream, and as whom. */
export type UpstreamEndpoint = Pick<UpstreamProvider, 'issuer' | 'clientId' | 'clientSecret' | 'scope'>;

/** What the login that is coming back was started with. */
export interface UpstreamChecks {
  /** The PKCE verifier of the code challenge sent. */
  verifier: string;
  nonce: string;
  /** The `state` sent (the interaction id). */
  state: string;
}

/** Seconds an upstream request may take. */
const UPSTREAM_TIMEOUT_SECONDS = 10;

/** The message of an error from the upstream or from the relying-party checks (no token or code in it). */
function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return `${error.error}: ${error.message}`;
  if (error instanceof oidc.AuthorizationResponseError) return `${error.error}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Client of an upstream OpenID provider (a SPID/CIE gateway, or the comune's own provider for
 * staff), on `openid-client` (an OpenID Certified relying party): discovery, the authorization
 * redirect with PKCE (S256), state and nonce, and the code exchange with the ID token checked as
 * OIDC Core says (signature with the provider's advertised algorithm, issuer, audience, expiry,
 * nonce; the authorization response's `iss` when the provider sends it, RFC 9207).
 */
export class UpstreamClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  /** @param identifyingClaim the claim naming the person (fiscal code, staff username); userinfo completes the ID token when it lacks it */
  constructor(
    private readonly provider: UpstreamEndpoint,
    private readonly identifyingClaim: string,
    private readonly callbackUrl: string,
  ) {}

  private discover(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.provider.issuer);
      // A plain-http issuer is only ever a local one (the demo upstream, tests): config refuses others.
      const insecure = issuer.protocol === 'http:';
      let configuration: oidc.Configuration;
      try {
        configuration = await oidc.discovery(
          issuer,
          this.provider.clientId,
          undefined,
          oidc.ClientSecretBasic(this.provider.clientSecret),
          {
            timeout: UPSTREAM_TIMEOUT_SECONDS,
            ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
          },
        );
      } catch (error) {
        throw new UpstreamProviderError(`upstream discovery failed: ${describe(error)}`, { cause: error });
      }
      // ID tokens are expected signed with the provider's advertised algorithm (ES256 for the demo).
      const algorithm = configuration.serverMetadata().id_token_signing_alg_values_supported?.[0];
      if (algorithm === undefined) return configuration;
      const signed = new oidc.Configuration(
        configuration.serverMetadata(),
        this.provider.clientId,
        { id_token_signed_response_alg: algorithm },
        oidc.ClientSecretBasic(this.provider.clientSecret),
      );
      signed.timeout = UPSTREAM_TIMEOUT_SECONDS;
      if (insecure) oidc.allowInsecureRequests(signed);
      return signed;
    })();
    // A failed discovery is retried on the next login instead of sticking.
    this.configuration.catch(() => {
      this.configuration = undefined;
    });
    return this.configuration;
  }

  /** The URL sending the browser to the upstream login. */
  async authorizationUrl(params: { state: string; nonce: string; codeChallenge: string }): Promise<string> {
    const configuration = await this.discover();
    return oidc
      .buildAuthorizationUrl(configuration, {
        redirect_uri: this.callbackUrl,
        scope: this.provider.scope,
        state: params.state,
        nonce: params.nonce,
        code_challenge: params.codeChallenge,
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /**
   * Takes the upstream's answer at the callback (its query parameters), exchanges the code and
   * returns the verified claims (ID token, completed by userinfo when the identifying claim is not
   * in it).
   *
   * @throws {UpstreamProviderError} when the upstream refuses or answers something unverifiable.
   */
  async exchange(callback: URLSearchParams, checks: UpstreamChecks): Promise<UpstreamIdentity> {
    const configuration = await this.discover();
    const currentUrl = new URL(this.callbackUrl);
    currentUrl.search = callback.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: checks.verifier,
        expectedNonce: checks.nonce,
        expectedState: checks.state,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new UpstreamProviderError(`upstream sign-in did not verify: ${describe(error)}`, {
        cause: error,
      });
    }
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new UpstreamProviderError('upstream returned no ID token');
    const claims: Record<string, unknown> = { ...idClaims };
    if (
      claims[this.identifyingClaim] === undefined &&
      configuration.serverMetadata().userinfo_endpoint !== undefined
    ) {
      try {
        Object.assign(claims, await oidc.fetchUserInfo(configuration, tokens.access_token, idClaims.sub));
      } catch (error) {
        throw new UpstreamProviderError(`upstream userinfo failed: ${describe(error)}`, { cause: error });
      }
    }
    return { claims };
  }
}
