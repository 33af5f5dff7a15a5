/** What a GraphQL endpoint answered: the HTTP status and the JSON body. */
export interface GraphQLAnswer<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** Options of {@link postGraphQL}. */
export interface GraphQLRequestOptions {
  /** @default {} */
  variables?: Record<string, unknown>;
  /** The `authorization` header as sent (`Bearer …`); anonymous when absent. */
  authorization?: string;
  /** Further headers (`x-comune`, an internal assertion…). */
  headers?: Record<string, string>;
}

/**
 * Sends one GraphQL operation as a client would (POST, JSON body) and reads the answer, whatever its
 * status, so a test can assert on errors as well as on data.
 *
 * @param endpoint the GraphQL URL, e.g. `${url}/graphql`.
 * @throws when the answer is not JSON.
 */
export async function postGraphQL<T = Record<string, unknown>>(
  endpoint: string,
  query: string,
  options: GraphQLRequestOptions = {},
): Promise<GraphQLAnswer<T>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.authorization === undefined ? {} : { authorization: options.authorization }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as Omit<GraphQLAnswer<T>, 'status'>) };
  } catch {
    throw new Error(`${endpoint} answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
}
