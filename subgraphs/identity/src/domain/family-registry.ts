import { graphqlEndpointOf, postGraphQL, type GraphQLAnswer } from '@sportello/platform';
import type { TokenGrant } from '../oidc/claims.js';

/** A person of a stato di famiglia, as anagrafe records them. */
export interface RegistryMember {
  fiscalCode: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** Relationship to the head of the family. */
  relationship: 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'COHABITANT';
}

/** The family a resident is registered in. */
export interface RegistryFamily {
  code: string;
  members: RegistryMember[];
}

/**
 * What identity asks anagrafe, the registry of the comune's residents: the family a person is
 * registered in. The registry decides who is whose child and how old they are; identity keeps no
 * copy of it.
 */
export interface FamilyRegistry {
  /**
   * The family `fiscalCode` belongs to in `comune`; `null` when the person is not resident there.
   *
   * @throws {RegistryUnavailableError} when anagrafe cannot answer.
   */
  familyOf(comune: string, fiscalCode: string): Promise<RegistryFamily | null>;
}

/** Anagrafe could not be asked (unreachable, refusing identity's token, answering an error). */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';
}

/** The member record of `fiscalCode` in its own family, if it is there. */
export function memberOf(family: RegistryFamily | null, fiscalCode: string): RegistryMember | null {
  return family?.members.find((member) => member.fiscalCode === fiscalCode) ?? null;
}

const FAMILY_QUERY = /* GraphQL */ `
  query IdentityFamilyOf($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Citizen {
        family {
          code
          members {
            fiscalCode
            birthDate
            relationship
          }
        }
      }
    }
  }
`;

/** Renew a token this long before it expires, so a call never leaves with a dying one. */
const EARLY_RENEWAL_MS = 60_000;

/**
 * The {@link FamilyRegistry} over anagrafe's GraphQL endpoint: a federation entity fetch of
 * `Citizen.family`, with a `service` token identity signs for itself (anagrafe lets the `identity`
 * service read families) and the internal assertion of the deployment when there is one.
 */
export function createAnagrafeRegistry(options: {
  /** Anagrafe's base URL (`ANAGRAFE_URL`); the endpoint is `<url>/graphql`. */
  anagrafeUrl: string;
  /** Signs identity's own service token for a comune. */
  issueToken(grant: TokenGrant): Promise<{ accessToken: string; expiresIn: number }>;
  /** Headers proving the call comes from a Sportello service. */
  internalHeaders?: () => Record<string, string>;
  /** @default 10_000 */
  timeoutMs?: number;
}): FamilyRegistry {
  const url = graphqlEndpointOf(options.anagrafeUrl);
  const tokens = new Map<string, { token: string; renewAt: number }>();

  async function tokenFor(comune: string): Promise<string> {
    const cached = tokens.get(comune);
    if (cached !== undefined && cached.renewAt > Date.now()) return cached.token;
    const issued = await options.issueToken({ kind: 'service', comune, service: 'identity' });
    tokens.set(comune, {
      token: issued.accessToken,
      renewAt: Date.now() + issued.expiresIn * 1000 - EARLY_RENEWAL_MS,
    });
    return issued.accessToken;
  }

  return {
    async familyOf(comune, fiscalCode) {
      let answer: GraphQLAnswer<{ _entities?: Array<{ family?: RegistryFamily | null } | null> }>;
      try {
        answer = await postGraphQL(url, {
          query: FAMILY_QUERY,
          variables: { representations: [{ __typename: 'Citizen', fiscalCode }] },
          token: await tokenFor(comune),
          headers: options.internalHeaders?.() ?? {},
          timeoutMs: options.timeoutMs ?? 10_000,
        });
      } catch (error) {
        throw new RegistryUnavailableError(`anagrafe unreachable at ${url.origin}`, { cause: error });
      }
      const { status, body } = answer;
      if (status === 401) tokens.delete(comune);
      const entity = body?.data?._entities?.[0];
      if (body?.errors?.length || entity === undefined) {
        // The message of anagrafe's error names no person: safe to log.
        throw new RegistryUnavailableError(
          `anagrafe answered HTTP ${status}: ${body?.errors?.[0]?.message ?? 'no data'}`,
        );
      }
      return entity?.family ?? null;
    },
  };
}
