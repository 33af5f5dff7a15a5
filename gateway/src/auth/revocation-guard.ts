import {
  issuedAtOf,
  type Principal,
  type RevocationView,
  revokedTokenError,
  type TokenPrincipal,
} from '@sportello/platform';
import { type GatewayTokenVerifier } from './caller.js';

/** When a token that already passed verification was issued (no second signature check). */
function issuedAt(token: string): number {
  try {
    return issuedAtOf(
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >,
    );
  } catch {
    return 0;
  }
}

/**
 * The gateway's verifier, refusing with `UNAUTHENTICATED` (reason `CLIENT_REVOKED` or
 * `TOKEN_REVOKED`) the tokens a revocation ended, over HTTP and graphql-ws alike, as every service
 * does behind it.
 */
export function guardRevocations(verifier: GatewayTokenVerifier, view: RevocationView): GatewayTokenVerifier {
  return {
    async verifyToken(token): Promise<Principal> {
      const principal = await verifier.verifyToken(token);
      if (principal.kind === 'anonymous') return principal;
      const revocation = view.revocationOf(principal as TokenPrincipal, issuedAt(token));
      if (revocation !== undefined) throw revokedTokenError(revocation.reason);
      return principal;
    },
  };
}
