/**
 * Errors of the OAuth/OIDC HTTP endpoints, which answer with RFC 6749 JSON
 * (`{ error, error_description }`) rather than GraphQL errors. GraphQL resolvers use the client
 * errors of @sportello/platform.
 */
export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

/** An OAuth error the endpoint reports to the caller; the description never echoes secrets or personal data. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** HTTP status: 401 for client authentication failures, 400 otherwise. */
    readonly status: number = code === 'invalid_client' ? 401 : 400,
  ) {
    super(`${code}: ${description}`);
  }

  /** The response body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** The upstream SPID/CIE provider misbehaved or is misconfigured: an operator's problem. */
export class UpstreamProviderError extends Error {
  override readonly name = 'UpstreamProviderError';
}
