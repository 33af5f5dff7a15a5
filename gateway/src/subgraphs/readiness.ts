/** Reachability of one subgraph, as reported by `GET /ready`. */
export interface SubgraphProbe {
  name: string;
  ready: boolean;
  /** Why it is not ready (status code or connection failure), never a response body. */
  reason?: string;
}

/**
 * Asks a subgraph's `/ready`, which answers 200 only when the service's database and bus answer
 * (a subgraph that is up but has lost its database is not ready). A service without `/ready` (404)
 * is asked for `{ __typename }` instead: the cheapest operation that proves the process is up and
 * its GraphQL layer answers.
 */
export async function probeSubgraph(
  name: string,
  url: string,
  timeoutMs: number,
  /** The internal assertion the subgraph asks for. */
  headers: Record<string, string> = {},
): Promise<SubgraphProbe> {
  // Sportello's services serve GraphQL on `/graphql` and `/ready` beside it; anything else (or a
  // service answering `/ready` with something that is not a readiness report) gets the GraphQL probe.
  if (!/\/graphql$/.test(url)) return probeGraphql(name, url, timeoutMs, headers);
  try {
    const response = await fetch(url.replace(/\/graphql$/, '/ready'), {
      headers: { accept: 'application/json', ...headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => undefined)) as
      { status?: unknown; checks?: Record<string, unknown> } | undefined;
    if (typeof body?.status !== 'string') return await probeGraphql(name, url, timeoutMs, headers);
    if (response.ok) return { name, ready: true };
    // The names of the failing checks (`database`, `bus`), not what they said.
    const failing = Object.entries(body.checks ?? {})
      .filter(([, outcome]) => outcome !== 'ok')
      .map(([check]) => check.replace(/[^a-z0-9-]/gi, ''));
    return {
      name,
      ready: false,
      reason: failing.length > 0 ? `${failing.join(', ')} unavailable` : `HTTP ${response.status}`,
    };
  } catch (error) {
    return { name, ready: false, reason: failureReason(error, timeoutMs) };
  }
}

async function probeGraphql(
  name: string,
  url: string,
  timeoutMs: number,
  headers: Record<string, string>,
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
    return { name, ready: false, reason: failureReason(error, timeoutMs) };
  }
}

function failureReason(error: unknown, timeoutMs: number): string {
  return error instanceof Error && error.name === 'TimeoutError'
    ? `no answer within ${timeoutMs} ms`
    : 'unreachable';
}

/**
 * The gateway's own bus, as `/ready` should report it beside the subgraphs: live subscriptions and
 * revocations come from it. Ready when the bus says so (adapters without `ready` always are).
 */
export async function probeBus(
  bus: { ready?(): Promise<void> } | undefined,
  timeoutMs: number,
): Promise<SubgraphProbe> {
  if (!bus?.ready) return { name: 'bus', ready: true };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      bus.ready(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: 'bus', ready: true };
  } catch (error) {
    return {
      name: 'bus',
      ready: false,
      reason: error instanceof Error && /within/.test(error.message) ? error.message : 'unreachable',
    };
  } finally {
    clearTimeout(timer);
  }
}
