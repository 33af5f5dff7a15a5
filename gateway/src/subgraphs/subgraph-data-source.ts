import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { type Context, context as traceContext, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { injectTraceContext, SPAN_ATTRIBUTES, sportelloTracer } from '@sportello/platform';
import { GraphQLError } from 'graphql';
import { type GatewayMetrics } from '../metrics.js';
import { type PublicDataGenerations, UNNAMED_COMUNE } from '../public-data/generations.js';
import { InFlightFetches } from '../public-data/in-flight-fetches.js';
import { COMUNE_HEADER } from '../public-data/public-request.js';
import { type EntitiesResponse, EntityFetchBatches } from './entity-fetch-batches.js';

/** Per-request values the gateway passes down to subgraph fetches. */
export interface SubgraphRequestContext {
  /** The caller's Authorization header, forwarded as is: subgraphs verify it themselves. */
  authorization?: string;
  /** The `x-comune` the caller named, forwarded: anonymous callers pick their comune with it. */
  comune?: string;
  /**
   * The trace context the caller sent. A fetch is a child of the active span (Apollo's
   * `gateway.fetch`); with tracing off there is none, and the fetch continues this one instead, so
   * the caller's trace id still reaches the subgraphs.
   */
  incomingTrace?: Context;
  /**
   * The operation is one of many resolved at once (the live layer's updates): its `_entities`
   * fetches may go out together with those of the others in the same tick, with the same token,
   * comune, document and variables (see {@link EntityFetchBatches}).
   */
  batchEntityFetches?: boolean;
}

/** `_entities` fetches of concurrent operations going out together, at most this many at once. */
const MAX_MERGED_ENTITY_FETCHES = 64;

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
    // The fetch's CLIENT span (see SubgraphDataSource.process).
    const span = trace.getActiveSpan();
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      stop({ outcome: response.ok ? 'ok' : 'error' });
      span?.setAttribute('http.response.status_code', response.status);
      return response;
    } catch (error) {
      stop({ outcome: 'error' });
      // The gateway reports a thrown GraphQLError as is: say which subgraph, not which address.
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      span?.setAttribute(SPAN_ATTRIBUTES.outcome, timedOut ? 'timeout' : 'unavailable');
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
 * A subgraph as the gateway calls it: caller's token and comune forwarded, fetches timed, each one a
 * CLIENT span whose context goes out in `traceparent`/`tracestate`, so the subgraph's SERVER span
 * is its child.
 *
 * With {@link FetchMerging}, identical fetches of anonymous queries in flight at the same time go
 * out once: same subgraph, same `x-comune` (or none), same document, operation name and variables,
 * same generation of that comune's public data. A request with an Authorization header is never
 * merged (its answer may be personal), nor is any fetch of a mutation. Every waiter gets its own copy
 * of the answer, since the query plan writes into what it receives.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<SubgraphRequestContext> {
  private readonly inFlight = new InFlightFetches<SharedResponse>();
  private readonly entityFetches = new EntityFetchBatches(MAX_MERGED_ENTITY_FETCHES);
  private readonly subgraph: string;
  private readonly merging: FetchMerging | undefined;
  private readonly merges: GatewayMetrics['subgraphFetchMerges'];
  /** The context of each request's CLIENT span, for `willSendRequest` to send. */
  private readonly spanContexts = new WeakMap<object, Context>();

  constructor(
    name: string,
    url: string,
    timeoutMs: number,
    metrics: GatewayMetrics,
    /** Headers proving the fetch comes from the gateway (the internal assertion). */
    private readonly internalHeaders: () => Record<string, string>,
    merging?: FetchMerging,
  ) {
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
    for (const [name, value] of Object.entries(this.internalHeaders())) headers.set(name, value);
    if (context.authorization) headers.set('authorization', context.authorization);
    if (context.comune) headers.set(COMUNE_HEADER, context.comune);
    injectTraceContext(headers, this.spanContexts.get(request) ?? traceContext.active());
  }

  /**
   * A subgraph that refused a fetch (HTTP 4xx) said why in a GraphQL error: the client gets that
   * error, not an "internal server error". A value the subgraph could not accept (a fiscal code with
   * a wrong check character, a date that does not exist) failed the subgraph's validation only
   * because the gateway does not parse custom scalars: it is the client's input, `BAD_USER_INPUT`,
   * with the subgraph's reason. 5xx answers stay internal (masked by the gateway).
   */
  override async errorFromResponse(response: Response): Promise<GraphQLError> {
    const body = (await this.parseBody(response)) as
      { errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> } | string;
    const first = typeof body === 'object' && body !== null ? body.errors?.[0] : undefined;
    if (response.status >= 500 || first === undefined || typeof first.message !== 'string') {
      return super.errorFromResponse(response as never);
    }
    const { http: _http, stacktrace: _stacktrace, ...extensions } = first.extensions ?? {};
    const code = typeof extensions['code'] === 'string' ? extensions['code'] : undefined;
    return new GraphQLError(first.message, {
      extensions: {
        ...extensions,
        code:
          code === undefined || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_REQUEST'
            ? response.status === 401
              ? 'UNAUTHENTICATED'
              : response.status === 403
                ? 'FORBIDDEN'
                : 'BAD_USER_INPUT'
            : code,
        serviceName: this.subgraph,
      },
    });
  }

  /**
   * One subgraph fetch as a CLIENT span: subgraph name and outcome (`ok`, `error`, `timeout`,
   * `unavailable`, or `merged` into an identical fetch in flight, whose trace then has the request).
   */
  override async process(options: GraphQLDataSourceProcessOptions<SubgraphRequestContext>) {
    const active = traceContext.active();
    const parent = trace.getSpan(active) ? active : (options.context.incomingTrace ?? active);
    const span = sportelloTracer().startSpan(
      `subgraph ${this.subgraph}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { [SPAN_ATTRIBUTES.service]: 'gateway', [SPAN_ATTRIBUTES.subgraph]: this.subgraph },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    this.spanContexts.set(options.request, spanContext);
    try {
      const { response, merged } = await traceContext.with(spanContext, () => this.processShared(options));
      const failed = (response.errors?.length ?? 0) > 0;
      span.setAttribute(SPAN_ATTRIBUTES.outcome, merged ? 'merged' : failed ? 'error' : 'ok');
      return response;
    } catch (error) {
      // Timeouts and unreachable subgraphs were told apart by the fetcher.
      const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
      if (code !== 'SUBGRAPH_UNAVAILABLE') span.setAttribute(SPAN_ATTRIBUTES.outcome, 'error');
      span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  }

  private async processShared(
    options: GraphQLDataSourceProcessOptions<SubgraphRequestContext>,
  ): Promise<{ response: SharedResponse; merged: boolean }> {
    const variables = options.request.variables;
    if (
      options.context.batchEntityFetches === true &&
      'incomingRequestContext' in options &&
      Array.isArray(variables?.['representations'])
    ) {
      const { representations, ...others } = variables;
      const key = JSON.stringify([
        options.context.authorization ?? null,
        options.context.comune ?? null,
        options.request.query,
        options.request.operationName ?? null,
        others,
      ]);
      const response = await this.entityFetches.fetch(key, representations as unknown[], async (all) => {
        const request = { ...options.request, variables: { ...others, representations: all } };
        const spanContext = this.spanContexts.get(options.request);
        if (spanContext) this.spanContexts.set(request, spanContext);
        const { data, errors, extensions } = await super.process({ ...options, request });
        return { data, errors, extensions } as EntitiesResponse;
      });
      return { response: response as SharedResponse, merged: false };
    }
    if (
      !this.merging ||
      // Health checks and schema loads have no incoming request (the kind enum is not exported).
      !('incomingRequestContext' in options) ||
      options.context.authorization !== undefined ||
      options.incomingRequestContext.operation?.operation !== 'query'
    ) {
      return { response: await super.process(options), merged: false };
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
    return { response: structuredClone(await outcome), merged };
  }
}
