import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { type GatewayMetrics } from '../metrics.js';
import { type PublicDataGenerations, UNNAMED_COMUNE } from '../public-data/generations.js';
import { InFlightFetches } from '../public-data/in-flight-fetches.js';
import { COMUNE_HEADER } from '../public-data/public-request.js';

/** Per-request values the gateway passes down to subgraph fetches. */
export interface SubgraphRequestContext {
  /** The caller's Authorization header, forwarded as is: subgraphs verify it themselves. */
  authorization?: string;
  /** The `x-comune` the caller named, forwarded: anonymous callers pick their comune with it. */
  comune?: string;
  /** W3C trace context of the incoming request, so subgraph spans join the same trace. */
  traceparent?: string;
  tracestate?: string;
}

type Fetcher = NonNullable<RemoteGraphQLDataSource['fetcher']>;
type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
/** What the query plan reads of a subgraph response; the HTTP response itself is not shared. */
type SharedResponse = Pick<SubgraphResponse, 'data' | 'errors' | 'extensions'>;

/**
 * Fetches from one subgraph with Node's fetch: undici keeps a pool of keep-alive connections per
 * subgraph origin. Each fetch has a deadline and is timed into the per-subgraph histogram; a
 * subgraph that cannot be reached becomes a `SUBGRAPH_UNAVAILABLE` error on its fields only.
 */
function timedFetcher(subgraph: string, timeoutMs: number, metrics: GatewayMetrics): Fetcher {
  const fetcher = async (url: string, init?: RequestInit) => {
    metrics.subgraphFetches.inc({ subgraph });
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

/** How the data source merges identical anonymous fetches; absent, it never merges. */
export interface FetchMerging {
  /** A fetch that started before a comune's data changed is not joined by requests after it. */
  generations: PublicDataGenerations;
}

/**
 * A subgraph as the gateway calls it: caller's token, comune and trace context forwarded, fetches
 * timed.
 *
 * With {@link FetchMerging}, identical fetches of anonymous queries in flight at the same time go
 * out once: same subgraph, same `x-comune` (or none), same document, operation name and variables,
 * same generation of that comune's public data. A request with an Authorization header is never
 * merged (its answer may be personal), nor is any fetch of a mutation. Every waiter gets its own copy
 * of the answer, since the query plan writes into what it receives.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<SubgraphRequestContext> {
  private readonly inFlight = new InFlightFetches<SharedResponse>();
  private readonly subgraph: string;
  private readonly merging: FetchMerging | undefined;
  private readonly merges: GatewayMetrics['subgraphFetchMerges'];

  constructor(name: string, url: string, timeoutMs: number, metrics: GatewayMetrics, merging?: FetchMerging) {
    super({ url, fetcher: timedFetcher(name, timeoutMs, metrics) });
    this.subgraph = name;
    this.merging = merging;
    this.merges = metrics.subgraphFetchMerges;
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<SubgraphRequestContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.comune) headers.set(COMUNE_HEADER, context.comune);
    if (context.traceparent) headers.set('traceparent', context.traceparent);
    if (context.tracestate) headers.set('tracestate', context.tracestate);
  }

  override async process(options: GraphQLDataSourceProcessOptions<SubgraphRequestContext>) {
    if (
      !this.merging ||
      // Health checks and schema loads have no incoming request (the kind enum is not exported).
      !('incomingRequestContext' in options) ||
      options.context.authorization !== undefined ||
      options.incomingRequestContext.operation?.operation !== 'query'
    ) {
      return super.process(options);
    }
    const comune = options.context.comune ?? UNNAMED_COMUNE;
    const key = JSON.stringify([
      comune,
      this.merging.generations.current(comune),
      options.request.query,
      options.request.operationName ?? null,
      options.request.variables ?? null,
    ]);
    const { outcome, merged } = this.inFlight.run(key, async () => {
      const { data, errors, extensions } = await super.process(options);
      return { data, errors, extensions };
    });
    if (merged) this.merges.inc({ subgraph: this.subgraph });
    return structuredClone(await outcome);
  }
}
