/** Reachability of one subgraph, as reported by `GET /ready`. */
export interface SubgraphProbe {
  name: string;
  ready: boolean;
  /** Why it is not ready (status code or connection failure), never a response body. */
  reason?: string;
}

/**
 * Asks a subgraph for `{ __typename }`: the cheapest operation that proves the process is up and
 * its GraphQL layer answers.
 */
export async function probeSubgraph(
  name: string,
  url: string,
  timeoutMs: number,
  /** The internal assertion the subgraph asks for. */
  headers: Record<string, string> = {},
): Promise<SubgraphProbe> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return { name, ready: false, reason: `HTTP ${response.status}` };
    const body = (await response.json()) as { data?: { __typename?: unknown } };
    return body.data?.__typename
      ? { name, ready: true }
      : { name, ready: false, reason: 'unexpected response' };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : 'unreachable';
    return { name, ready: false, reason };
  }
}
