import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { type ApolloServer } from '@apollo/server';
import { type EventBus, type ForegroundGate } from '@sportello/platform';
import { type EventEnvelope } from '@sportello/schema';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
} from 'graphql';
import { type Context } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { type AdmittedOperation, type OperationFields } from '../admission/operation.js';
import { isRefusal, type Refusal } from '../admission/refusal.js';
import { type Caller, type GatewayTokenVerifier, identifyCaller } from '../auth/caller.js';
import { type GatewayMetrics } from '../metrics.js';
import { ConcurrencyLimit, SharedResolutions, UpdateStream } from './update-stream.js';
import { changeQuery, entityBatchQuery, subscriptionRootField } from './entity-query.js';
import { EntityBatches } from './entity-batches.js';
import { SharedListeners } from './shared-listeners.js';
import {
  type EntityLookup,
  type SubscriptionBindings,
  type SubscriptionRequest,
} from './subscription-binding.js';

/** WebSocket close code for a subscriber that does not keep up (RFC 6455 policy violation). */
export const SLOW_CONSUMER_CLOSE_CODE = 1008;
/**
 * Updates a subscription may hold at all, resolving or ready, as a multiple of the queue size (a
 * bound on memory while the subgraphs lag behind the events).
 */
const BACKLOG_FACTOR = 20;

/** How often subscribers are checked for slowness. */
const SLOWNESS_SWEEP_MS = 500;

/** Documents kept parsed and validated for the next subscriber that sends the same text. */
const DOCUMENT_CACHE_SIZE = 500;

/** WebSocket close code when the subscriber's access token expires (graphql-ws Forbidden). */
export const TOKEN_EXPIRED_CLOSE_CODE = 4403;

/** The gateway's own context, as every GraphQL execution receives it. */
export interface LiveContext {
  caller: Caller;
  report: { operationName?: string; errorCodes: string[] };
  authorization?: string;
  /** Forwarded as `x-comune`: the comune an anonymous subscriber named, or the event's. */
  comune?: string;
  /** An update's resolution: its `_entities` fetches may go out with those of other updates. */
  batchEntityFetches?: boolean;
}

export interface LiveSubscriptionsOptions {
  httpServer: Server;
  apollo: ApolloServer<LiveContext>;
  schema: () => GraphQLSchema;
  bindings: SubscriptionBindings;
  bus?: EventBus;
  verifier: GatewayTokenVerifier;
  metrics: GatewayMetrics;
  logger: { warn(fields: object, message?: string): void; info(fields: object, message?: string): void };
  validationRules: ValidationRule[];
  defaultClientPerMinute: number;
  /** Updates resolved and not yet read by one subscriber before it is dropped as too slow. */
  queueSize: number;
  /** Update resolutions running at once, all subscribers together. @default 32 */
  maxConcurrentResolutions?: number;
  /**
   * Events whose entities one resolution loads together (fewer when the operation limits allow
   * fewer aliases or less cost). @default 32
   */
  maxEntityBatch?: number;
  /**
   * How long a subscriber with more than `queueSize` updates waiting may read none before it is
   * dropped as a slow consumer. @default 2000
   */
  slowConsumerPatienceMs?: number;
  /** Live subscriptions one connection may hold. */
  maxSubscriptionsPerConnection: number;
  maxPayloadBytes: number;
  /** The client's address, as the trusted proxies saw it (never what the client wrote). */
  clientAddress(req: IncomingMessage): string;
  /** The address rate limit, checked at the upgrade (HTTP) like any request. */
  admitAddress(address: string): Refusal | undefined;
  /**
   * The steps every operation goes through over HTTP (client rate limit, trusted documents, size,
   * values, comune), for each operation sent over the socket, subscriptions, queries and mutations.
   */
  admitOperation(caller: Caller, fields: OperationFields): AdmittedOperation | Refusal;
  /** How long a query or mutation over the socket may take (`REQUEST_TIMEOUT` after). */
  requestTimeoutMs: number;
  /** Operations over the socket, and events on their way to a subscriber, are its foreground work. */
  foreground?: ForegroundGate;
  /**
   * Why a connection's token no longer holds (a revocation of its app, delegation, staff account or
   * session), or `undefined`: checked every second and before every update, the connection closes
   * with 4403 naming it.
   */
  revoked?(caller: Caller): string | undefined;
  /** How often open connections are checked for revocations. @default 1000 */
  revocationCheckMs?: number;
}

interface ConnectionState {
  caller: Caller;
  authorization?: string;
  /** The comune the connection named (`x-comune` header or parameter `comune`). */
  comune?: string;
  socket: Extra['socket'];
  /** Ends the connection at the token's `exp`. */
  expiry?: NodeJS.Timeout;
  /** Why the gateway ended the connection, for the log line of each subscription it held. */
  endedBecause?: string;
}

/** A running graphql-ws endpoint; `close()` ends every connection. */
export interface LiveSubscriptions {
  close(): Promise<void>;
  /** Bus listeners open (shared between identical subscriptions). */
  readonly busListeners: number;
}

type WsContext = Context<Record<string, unknown> | undefined, Extra & Partial<Record<PropertyKey, never>>>;

function authorizationOf(ctx: WsContext): string | undefined {
  const param = ctx.connectionParams?.['authorization'] ?? ctx.connectionParams?.['Authorization'];
  if (typeof param === 'string') return param;
  const header = ctx.extra.request.headers.authorization;
  return typeof header === 'string' ? header : undefined;
}

/** The comune a connection names, as HTTP requests do with `x-comune` (browsers: a parameter). */
function comuneOf(ctx: WsContext): string | undefined {
  const param = ctx.connectionParams?.['comune'] ?? ctx.connectionParams?.['x-comune'];
  const header = ctx.extra.request.headers['x-comune'];
  const named = typeof param === 'string' ? param : typeof header === 'string' ? header : undefined;
  return named?.trim() || undefined;
}

/**
 * An execution result as graphql-ws sends it: Apollo formats errors into plain objects, and
 * graphql-ws calls `toJSON` on each error it is given, so they become `GraphQLError`s again (same
 * message, path, locations and extensions).
 */
function forTheSocket(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  return {
    ...result,
    errors: result.errors.map((error) =>
      error instanceof GraphQLError
        ? error
        : new GraphQLError((error as { message: string }).message, {
            ...((error as { path?: ReadonlyArray<string | number> }).path
              ? { path: (error as { path: ReadonlyArray<string | number> }).path }
              : {}),
            extensions: (error as { extensions?: Record<string, unknown> }).extensions ?? {},
          }),
    ),
  };
}

/** The failure a subscriber sees when a binding refuses it (anything but a GraphQLError is masked). */
function refusal(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError('The subscription could not be checked', {
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

/**
 * Serves graphql-ws (protocol `graphql-transport-ws`) on `/graphql` of the gateway's HTTP server.
 *
 * Queries and mutations over the socket take the same path as over HTTP. A subscription field is
 * fed by its {@link SubscriptionBindings} entry: the gateway listens to the bus (one listener per
 * distinct subject set), checks each event against the subscriber's rights, and resolves the
 * selected fields with a federated query for the event's entity, using the subscriber's token.
 */
export function attachLiveSubscriptions(options: LiveSubscriptionsOptions): LiveSubscriptions {
  const { apollo, bindings, metrics, logger } = options;
  const listeners = options.bus ? new SharedListeners(options.bus) : undefined;
  const connections = new WeakMap<object, ConnectionState>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
    if (path !== '/graphql') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const refusal = options.admitAddress(options.clientAddress(req));
    if (refusal) {
      const body = JSON.stringify({ errors: [refusal.error] });
      const headers = Object.entries(refusal.headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.httpServer.on('upgrade', onUpgrade);

  async function runOperation(
    state: ConnectionState,
    document: DocumentNode | string,
    variables: Record<string, unknown>,
    operationName?: string,
    comune = state.comune,
    /** A subscription's update, resolved alongside others. */
    update = false,
  ): Promise<ExecutionResult> {
    const contextValue: LiveContext = {
      caller: state.caller,
      report: { errorCodes: [] },
      ...(state.authorization ? { authorization: state.authorization } : {}),
      ...(comune ? { comune } : {}),
      ...(update ? { batchEntityFetches: true } : {}),
    };
    const response = await apollo.executeOperation(
      { query: document, variables, ...(operationName ? { operationName } : {}) },
      { contextValue },
    );
    if (response.body.kind !== 'single')
      throw new Error('Incremental delivery is not supported over graphql-ws');
    return forTheSocket(response.body.singleResult as ExecutionResult);
  }

  /** Closes a connection for a reason of the gateway's, remembered for the log of its subscriptions. */
  function endConnection(state: ConnectionState, code: number, reason: string, why: string): void {
    if (state.endedBecause !== undefined) return;
    state.endedBecause = why;
    clearTimeout(state.expiry);
    state.socket.close(code, reason);
  }

  const open = new Set<ConnectionState>();
  // Many subscribers send the same document (a dashboard, a public page): parsed and validated once,
  // one syntax tree shared by them all.
  const checkedDocuments = new Map<
    string,
    { schema: GraphQLSchema; result: DocumentNode | GraphQLError[] }
  >();
  function checkedDocument(schema: GraphQLSchema, query: string): DocumentNode | GraphQLError[] {
    const known = checkedDocuments.get(query);
    if (known && known.schema === schema) return known.result;
    let result: DocumentNode | GraphQLError[];
    try {
      const document = parse(query);
      const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
      // The same code Apollo gives validation failures over HTTP.
      result =
        errors.length === 0
          ? document
          : errors.map(
              (error) =>
                new GraphQLError(error.message, {
                  ...(error.nodes ? { nodes: error.nodes } : {}),
                  extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
                }),
            );
    } catch (error) {
      result = [error as GraphQLError];
    }
    if (checkedDocuments.size >= DOCUMENT_CACHE_SIZE) {
      checkedDocuments.delete(checkedDocuments.keys().next().value!);
    }
    checkedDocuments.set(query, { schema, result });
    return result;
  }
  const resolutionLimit = new ConcurrencyLimit(options.maxConcurrentResolutions ?? 32);
  // A subscriber that stopped reading is dropped even when no new event comes to notice it.
  const streams = new Set<UpdateStream>();
  let sweptAt = Date.now();
  const slownessSweep = setInterval(() => {
    // A sweep that comes late means the process was held up: its subscribers could not read either.
    const now = Date.now();
    const heldUp = now - sweptAt - SLOWNESS_SWEEP_MS;
    sweptAt = now;
    for (const stream of streams) {
      if (heldUp > 0) stream.excuse(heldUp);
      stream.check();
    }
  }, SLOWNESS_SWEEP_MS);
  slownessSweep.unref();
  const sharedResolutions = new SharedResolutions();
  const entityBatches = new EntityBatches<EntityLookup>(resolutionLimit);
  const maxEntityBatch = options.maxEntityBatch ?? 32;
  // The largest batch the gateway's operation limits (aliases, cost) let through, per document.
  const batchSizes = new Map<string, { schema: GraphQLSchema; size: number }>();
  function batchSizeFor(
    schema: GraphQLSchema,
    key: string,
    operation: OperationDefinitionNode,
    document: DocumentNode,
    lookup: EntityLookup,
    variables: Record<string, unknown>,
    change: ReturnType<typeof changeQuery> | undefined,
  ): number {
    const known = batchSizes.get(key);
    if (known && known.schema === schema) return known.size;
    // The values only reach the variables: distinct ones keep the probe's lookups apart.
    const fits = (size: number) => {
      const probe = Array.from({ length: size }, (_, i) => ({
        field: lookup.field,
        args: Object.fromEntries(Object.keys(lookup.args).map((name) => [name, i])),
      }));
      const query = entityBatchQuery(
        schema,
        document,
        operation,
        probe,
        variables,
        change?.entity ?? undefined,
      );
      return validate(schema, query.document, options.validationRules).length === 0;
    };
    let size = maxEntityBatch;
    if (!fits(size)) {
      let [fitting, failing] = [1, size];
      while (failing - fitting > 1) {
        const middle = Math.floor((fitting + failing) / 2);
        if (fits(middle)) fitting = middle;
        else failing = middle;
      }
      size = fitting;
    }
    if (batchSizes.size >= DOCUMENT_CACHE_SIZE) batchSizes.delete(batchSizes.keys().next().value!);
    batchSizes.set(key, { schema, size });
    return size;
  }
  // Revocations heard since a connection opened end it within a second, events or not.
  const revocationSweep = options.revoked
    ? setInterval(() => {
        for (const state of open) {
          const why = options.revoked!(state.caller);
          if (why !== undefined) {
            endConnection(state, TOKEN_EXPIRED_CLOSE_CODE, `Access revoked: ${why}`, 'token revoked');
          }
        }
      }, options.revocationCheckMs ?? 1_000)
    : undefined;
  revocationSweep?.unref();

  const server = useServer<Record<string, unknown> | undefined>(
    {
      onConnect: async (ctx) => {
        const authorization = authorizationOf(ctx);
        try {
          const caller = await identifyCaller(
            authorization,
            options.clientAddress(ctx.extra.request),
            options.verifier,
            options.defaultClientPerMinute,
          );
          const comune = comuneOf(ctx);
          const state: ConnectionState = {
            caller,
            socket: ctx.extra.socket,
            ...(caller.principal && authorization ? { authorization } : {}),
            ...(comune ? { comune } : {}),
          };
          if (caller.expiresAt !== undefined) {
            // At `exp`, not at the next event: nothing is resolved with a dead token, nothing dropped.
            state.expiry = setTimeout(
              () =>
                endConnection(
                  state,
                  TOKEN_EXPIRED_CLOSE_CODE,
                  'Access token expired: reconnect with a new one',
                  'token expired',
                ),
              Math.max(0, caller.expiresAt - Date.now()),
            );
            state.expiry.unref();
          }
          connections.set(ctx, state);
          open.add(state);
          return true;
        } catch (error) {
          logger.info(
            {
              reason: error instanceof GraphQLError ? error.extensions['reason'] : 'verification unavailable',
            },
            'subscription connection refused',
          );
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const state = connections.get(ctx);
        if (!state)
          return [
            new GraphQLError('The connection is not authenticated', {
              extensions: { code: 'UNAUTHENTICATED' },
            }),
          ];
        // Every operation over the socket, not only subscriptions, goes through the HTTP steps.
        const persisted = (payload.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)
          ?.persistedQuery?.sha256Hash;
        const admitted = options.admitOperation(state.caller, {
          ...(payload.query ? { query: payload.query } : {}),
          ...(typeof persisted === 'string' ? { persistedHash: persisted } : {}),
          ...(payload.operationName ? { operationName: payload.operationName } : {}),
          ...(payload.variables ? { variables: payload.variables } : {}),
          ...(state.comune ? { comune: state.comune } : {}),
        });
        if (isRefusal(admitted)) {
          return [new GraphQLError(admitted.error.message, { extensions: admitted.error.extensions })];
        }
        if (admitted.query === undefined) {
          return [
            new GraphQLError('The operation has no document (send the query, or a registered hash)', {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        }
        const variableValues = (admitted.variables ?? {}) as Record<string, unknown>;
        const schema = options.schema();
        const checked = checkedDocument(schema, admitted.query);
        if (Array.isArray(checked)) return checked;
        const document = checked;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation)
          return [new GraphQLError('The document has no operation to run (check operationName)')];
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          // graphql-ws registers this operation's id before calling onSubscribe: count the others.
          const open = Object.keys(ctx.subscriptions).length - 1;
          if (open >= options.maxSubscriptionsPerConnection) {
            return [
              new GraphQLError(
                `This connection already has ${open} subscriptions, the limit (maxSubscriptionsPerConnection)`,
                {
                  extensions: {
                    code: 'RATE_LIMITED',
                    limit: {
                      name: 'maxSubscriptionsPerConnection',
                      max: options.maxSubscriptionsPerConnection,
                    },
                  },
                },
              ),
            ];
          }
          const field = subscriptionRootField(operation).name.value;
          if (!bindings[field] || !listeners) {
            return [
              new GraphQLError(`Subscription.${field} is not served live by this gateway`, {
                extensions: { code: 'BAD_REQUEST' },
              }),
            ];
          }
        }
        let request: SubscriptionRequest | undefined;
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          const binding = bindings[subscriptionRootField(operation).name.value]!;
          const described = subscriptionRequest(schema, operation, variableValues, state);
          if (!('args' in described)) return [...described.errors];
          request = described;
          try {
            binding.admit?.(request);
          } catch (error) {
            return [refusal(error)];
          }
        }
        const args: ExecutionArgs = {
          schema,
          document,
          ...(payload.operationName ? { operationName: payload.operationName } : {}),
          variableValues,
          contextValue: { state, query: admitted.query, request },
        };
        return args;
      },
      onClose: (ctx, code) => {
        const state = connections.get(ctx);
        if (!state) return;
        clearTimeout(state.expiry);
        open.delete(state);
        state.endedBecause ??= `connection closed (${code})`;
      },
      execute: async (args) => {
        const { state, query } = args.contextValue as { state: ConnectionState; query: string };
        const done = options.foreground?.begin();
        let timer: NodeJS.Timeout | undefined;
        try {
          return await Promise.race([
            runOperation(
              state,
              query,
              (args.variableValues ?? {}) as Record<string, unknown>,
              args.operationName ?? undefined,
            ),
            new Promise<ExecutionResult>((resolve) => {
              timer = setTimeout(
                () =>
                  resolve({
                    errors: [
                      new GraphQLError(
                        `The operation took longer than ${options.requestTimeoutMs} ms (requestTimeoutMs) and was abandoned`,
                        { extensions: { code: 'REQUEST_TIMEOUT' } },
                      ),
                    ],
                  }),
                options.requestTimeoutMs,
              );
            }),
          ]);
        } finally {
          clearTimeout(timer);
          done?.();
        }
      },
      subscribe: (args) => subscribe(args),
    },
    wss,
    12_000,
  );

  async function subscribe(
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const { state, request, query } = args.contextValue as {
      state: ConnectionState;
      request: SubscriptionRequest;
      query: string;
    };
    const operation = getOperationAST(args.document, args.operationName)!;
    const root = subscriptionRootField(operation);
    const field = root.name.value;
    const binding = bindings[field]!;
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    // What makes two subscribers' updates identical: the document, its variables, who asks.
    const sameAnswer = `${field}|${operation.name?.value ?? ''}|${query}|${JSON.stringify(variables)}`;
    // From an event's arrival to its update's sending, this subscriber has foreground work.
    let endForeground: (() => void) | undefined;
    const stream = new UpdateStream(
      {
        ready: options.queueSize,
        total: options.queueSize * BACKLOG_FACTOR,
        patienceMs: options.slowConsumerPatienceMs ?? 2_000,
      },
      (why) => {
        const slow = why === 'slow-consumer';
        metrics.rejections.inc({ reason: slow ? 'slow_consumer' : 'subscription_backlog' });
        logger.warn(
          { field, clientId: state.caller.clientId ?? null, why },
          slow ? 'slow subscriber dropped' : 'subscription dropped: updates pile up faster than they resolve',
        );
        stream.close();
        endConnection(
          state,
          SLOW_CONSUMER_CLOSE_CODE,
          slow
            ? `Slow consumer: more than ${options.queueSize} updates waiting to be read`
            : `More than ${options.queueSize * BACKLOG_FACTOR} updates waiting`,
          slow ? 'slow consumer' : 'backlog',
        );
      },
    );

    const change = binding.change
      ? changeQuery(args.schema, args.document, operation, binding.change.entityField)
      : undefined;
    /** The entities of several events, in one query with this subscriber's token. */
    const resolveBatch =
      (comune: string | undefined) =>
      async (lookups: EntityLookup[]): Promise<ExecutionResult[]> => {
        const batch = entityBatchQuery(
          args.schema,
          args.document,
          operation,
          lookups,
          variables,
          change?.entity ?? undefined,
        );
        const result = await runOperation(
          state,
          batch.document,
          batch.variables,
          operation.name?.value,
          comune,
          true,
        );
        // One entity's failure emptied the whole answer: each event gets its own, apart.
        return (
          batch.split(result) ??
          Promise.all(lookups.map(async (one) => (await resolveBatch(comune)([one]))[0]!))
        );
      };

    /** The update one event makes for this subscriber, shared with identical subscribers. */
    function updateFor(event: EventEnvelope): Promise<ExecutionResult | null> {
      const lookup = binding.lookup(event, request);
      if (!lookup) return Promise.resolve(null);
      // A subscriber with a token is answered for its connection's comune, an anonymous one for the
      // event's (public data).
      const comune = state.authorization ? state.comune : (lookup.comune ?? state.comune);
      const who = state.authorization ?? `anonymous:${comune ?? ''}`;
      return sharedResolutions.run(`${event.id}|${sameAnswer}|${who}|${JSON.stringify(lookup)}`, async () => {
        try {
          if (change && !change.entity) return change.assemble({}, binding.change!.values(event));
          const resolved = await entityBatches.load(
            `${sameAnswer}|${who}|${comune ?? ''}`,
            lookup,
            batchSizeFor(args.schema, sameAnswer, operation, args.document, lookup, variables, change),
            resolveBatch(comune),
          );
          return change ? change.assemble(resolved, binding.change!.values(event)) : resolved;
        } catch (error) {
          logger.warn({ err: error, field }, 'subscription update failed');
          return {
            errors: [
              new GraphQLError('The update could not be resolved', {
                extensions: { code: 'INTERNAL_SERVER_ERROR' },
              }),
            ],
          };
        }
      });
    }

    const stopListening = await listeners!.add(binding.subjects(request), (event) => {
      let allowed = false;
      try {
        allowed = binding.authorize(event, request);
      } catch (error) {
        logger.warn({ err: error, field }, 'subscription authorisation failed');
      }
      if (!allowed || stream.isClosed) return;
      endForeground ??= options.foreground?.begin();
      stream.push(updateFor(event));
    });
    streams.add(stream);
    metrics.openSubscriptions.inc();

    async function* deliver(): AsyncGenerator<ExecutionResult> {
      try {
        for await (const update of stream) {
          const revoked = options.revoked?.(state.caller);
          if (revoked !== undefined) {
            endConnection(state, TOKEN_EXPIRED_CLOSE_CODE, `Access revoked: ${revoked}`, 'token revoked');
            return;
          }
          yield update;
          // graphql-ws asks for the next update once this one is on the socket.
          if (stream.size === 0) {
            endForeground?.();
            endForeground = undefined;
          }
        }
      } finally {
        endForeground?.();
        stream.close();
        streams.delete(stream);
        metrics.openSubscriptions.dec();
        await stopListening();
        logger.info(
          {
            field,
            clientId: state.caller.clientId ?? null,
            reason: state.endedBecause ?? 'completed by the client',
          },
          'subscription ended',
        );
      }
    }
    // graphql-ws calls return() when the client completes or leaves; a generator parked on an
    // empty stream would only see it at its next yield, so the stream is closed first.
    const updates = deliver();
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => updates.next(),
      return: async () => {
        stream.close();
        return updates.return(undefined);
      },
      throw: async (error: unknown) => {
        stream.close();
        return updates.throw(error);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    get busListeners() {
      return listeners?.size ?? 0;
    },
    async close() {
      clearInterval(revocationSweep);
      clearInterval(slownessSweep);
      for (const state of open) clearTimeout(state.expiry);
      options.httpServer.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.close(1001, 'Gateway shutting down');
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * What a binding sees of a subscription: the field arguments with variables applied, and the
 * subscriber (an anonymous one carries the comune its connection named).
 */
function subscriptionRequest(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  state: ConnectionState,
): SubscriptionRequest | { errors: readonly GraphQLError[] } {
  const root = subscriptionRootField(operation);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) return { errors: coerced.errors };
  const fieldDefinition = schema.getSubscriptionType()?.getFields()[root.name.value];
  return {
    args: fieldDefinition ? getArgumentValues(fieldDefinition, root, coerced.coerced) : {},
    principal: state.caller.principal ?? { kind: 'anonymous', comune: state.comune ?? '' },
  };
}
