import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { type GatewayMetrics } from '../metrics.js';

/** Per-request values the gateway passes down to subgraph fetches. */
export interface SubgraphRequestContext {
  /** The caller's Authorization header, forwarded as is: subgraphs verify it themselves. */
  authorization?: string;
  /** W3C trace context of the incoming request, so subgraph spans join the same trace. */
  traceparent?: string;
  tracestate?: string;
}

type Fetcher = NonNullable<RemoteGraphQLDataSource['fetcher']>;

/**
 * Fetches from one subgraph with Node's fetch: undici keeps a pool of keep-alive connections per
 * subgraph origin. Each fetch has a deadline and is timed into the per-subgraph histogram; a
 * subgraph that cannot be reached becomes a `SUBGRAPH_UNAVAILABLE` error on its fields only.
 */
function timedFetcher(subgraph: string, timeoutMs: number, metrics: GatewayMetrics): Fetcher {
  const fetcher = async (url: string, init?: RequestInit) => {
    const stop = metrics.subgraphFetchDuration.startTimer({ subgraph });
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      stop({ outcome: response.ok ? 'ok' : 'error' });
      return response;
    } catch (error) {
      stop({ outcome: 'error' });
      // The gateway reports a thrown GraphQLError as is: say which subgraph, not which address.
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new GraphQLError(
        timedOut
          ? `Subgraph "${subgraph}" did not answer within ${timeoutMs} ms`
          : `Subgraph "${subgraph}" is unavailable`,
        {
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: subgraph },
          originalError: error as Error,
        },
      );
    }
  };
  return fetcher as unknown as Fetcher;
}

/** A subgraph as the gateway calls it: caller's token and trace context forwarded, fetches timed. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<SubgraphRequestContext> {
  constructor(name: string, url: string, timeoutMs: number, metrics: GatewayMetrics) {
    super({ url, fetcher: timedFetcher(name, timeoutMs, metrics) });
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<SubgraphRequestContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.traceparent) headers.set('traceparent', context.traceparent);
    if (context.tracestate) headers.set('tracestate', context.tracestate);
  }
}
