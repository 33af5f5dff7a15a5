import { graphqlEndpointOf, postGraphQL, type GraphQLAnswer } from '@sportello/platform';
import type { ServiceTokens } from './service-token.js';

/** A GraphQL call to another subgraph failed; the message names the service and the first error. */
export class SubgraphCallError extends Error {
  override readonly name = 'SubgraphCallError';
  constructor(
    message: string,
    /** The GraphQL error code, when the subgraph gave one (e.g. `BAD_USER_INPUT`). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Calls a subgraph's `/graphql` directly with the notifier's service token for the comune. */
export function createSubgraphClient(
  service: string,
  baseUrl: string,
  tokens: ServiceTokens,
  timeoutMs = 15_000,
) {
  const url = graphqlEndpointOf(baseUrl);
  return async function call<T>(
    comune: string,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const token = await tokens.tokenFor(comune);
      let answer: GraphQLAnswer<T>;
      try {
        answer = await postGraphQL<T>(url, {
          query,
          variables,
          token,
          headers: tokens.internalHeaders(),
          timeoutMs,
        });
      } catch (error) {
        throw new SubgraphCallError(`${service} unreachable at ${url.origin}: ${(error as Error).message}`);
      }
      const { status, body } = answer;
      const code = body?.errors?.[0]?.extensions?.code;
      // A token signed by a key identity no longer has: fetch a new one, once.
      if (status === 401 && attempt === 1) {
        tokens.invalidate(comune);
        continue;
      }
      if (body?.errors?.length || body?.data == null) {
        throw new SubgraphCallError(
          `${service} answered HTTP ${status}: ${body?.errors?.[0]?.message ?? 'no data'}`,
          code,
        );
      }
      return body.data;
    }
  };
}
