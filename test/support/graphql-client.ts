/** The smallest real GraphQL-over-HTTP client: what a third-party app does with fetch. */
export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** Asks identity's demo endpoint for a token (`POST /auth/dev/token`, demo mode only). */
export async function devToken(
  identityUrl: string,
  request: { subject: string } | { kind: 'citizen' | 'staff' | 'client'; office?: string },
): Promise<{ access_token: string; subject: string }> {
  const response = await fetch(`${identityUrl}/auth/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`dev token: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { access_token: string; subject: string };
}
