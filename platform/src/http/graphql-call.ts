/** The GraphQL endpoint of a service from its base URL: `<base>/graphql`, with or without a trailing slash. */
export function graphqlEndpointOf(baseUrl: string): URL {
  return new URL('graphql', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

/** What another service's GraphQL endpoint answered: the HTTP status and the body (`undefined` when not JSON). */
export interface GraphQLAnswer<Data> {
  status: number;
  body:
    { data?: Data | null; errors?: Array<{ message: string; extensions?: { code?: string } }> } | undefined;
}

/**
 * Sends one GraphQL operation to another service's endpoint as the caller's `token` (a bearer
 * token), with `headers` besides (the deployment's internal assertion), giving up after `timeoutMs`.
 * What the answer means (an error, a token to renew) is the caller's to decide.
 *
 * @throws the fetch error when the service cannot be reached or does not answer in time.
 */
export async function postGraphQL<Data>(
  url: URL,
  request: {
    query: string;
    variables: Record<string, unknown>;
    token: string;
    headers?: Record<string, string>;
    timeoutMs: number;
  },
): Promise<GraphQLAnswer<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${request.token}`,
      ...request.headers,
    },
    body: JSON.stringify({ query: request.query, variables: request.variables }),
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  const body = (await response.json().catch(() => undefined)) as GraphQLAnswer<Data>['body'];
  return { status: response.status, body };
}
