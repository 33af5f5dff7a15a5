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
import { BoundedQueue } from './bounded-queue.js';
import { entityQuery, subscriptionRootField } from './entity-query.js';
import { SharedListeners } from './shared-listeners.js';
import { type SubscriptionBindings, type SubscriptionRequest } from './subscription-binding.js';

/** WebSocket close code for a subscriber that does not keep up (RFC 6455 policy violation). */
export const SLOW_CONSUMER_CLOSE_CODE = 1008;
/** WebSocket close code when the subscriber's access token expires (graphql-ws Forbidden). */
export const TOKEN_EXPIRED_CLOSE_CODE = 4403;

/** The gateway's own context, as every GraphQL execution receives it. */
export interface LiveContext {
  caller: Caller;
  report: { operationName?: string; errorCodes: string[] };
  authorization?: string;
  /** Forwarded as `x-comune`: the comune an anonymous subscriber named, or the event's. */
  comune?: string;
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
  /** Events waiting for one subscriber before it is dropped. */
  queueSize: number;
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
  ): Promise<ExecutionResult> {
    const contextValue: LiveContext = {
      caller: state.caller,
      report: { errorCodes: [] },
      ...(state.authorization ? { authorization: state.authorization } : {}),
      ...(comune ? { comune } : {}),
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
        let document: DocumentNode;
        try {
          document = parse(admitted.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const schema = options.schema();
        const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length > 0) {
          // The same code Apollo gives validation failures over HTTP.
          return errors.map(
            (error) =>
              new GraphQLError(error.message, {
                ...(error.nodes ? { nodes: error.nodes } : {}),
                extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
              }),
          );
        }
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
    const { state, request } = args.contextValue as {
      state: ConnectionState;
      request: SubscriptionRequest;
    };
    const operation = getOperationAST(args.document, args.operationName)!;
    const root = subscriptionRootField(operation);
    const binding = bindings[root.name.value]!;
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const queue = new BoundedQueue<EventEnvelope>(options.queueSize);
    // From an event's arrival to its update's sending, this subscriber has foreground work.
    let waiting = 0;
    let endForeground: (() => void) | undefined;
    const settleOne = () => {
      waiting -= 1;
      if (waiting > 0) return;
      endForeground?.();
      endForeground = undefined;
    };
    const stopListening = await listeners!.add(binding.subjects(request), (event) => {
      let allowed = false;
      try {
        allowed = binding.authorize(event, request);
      } catch (error) {
        logger.warn({ err: error, field: root.name.value }, 'subscription authorisation failed');
      }
      if (!allowed || queue.isClosed) return;
      if (queue.push(event)) {
        waiting += 1;
        endForeground ??= options.foreground?.begin();
      } else {
        metrics.rejections.inc({ reason: 'slow_consumer' });
        logger.warn(
          { field: root.name.value, clientId: state.caller.clientId ?? null },
          'slow subscriber dropped',
        );
        queue.close();
        endConnection(
          state,
          SLOW_CONSUMER_CLOSE_CODE,
          `Slow consumer: more than ${options.queueSize} events waiting`,
          'slow consumer',
        );
      }
    });
    metrics.openSubscriptions.inc();

    async function* deliver(): AsyncGenerator<ExecutionResult> {
      try {
        for await (const event of queue) {
          const revoked = options.revoked?.(state.caller);
          if (revoked !== undefined) {
            endConnection(state, TOKEN_EXPIRED_CLOSE_CODE, `Access revoked: ${revoked}`, 'token revoked');
            return;
          }
          const lookup = binding.lookup(event, request);
          if (!lookup) {
            settleOne();
            continue;
          }
          const query = entityQuery(args.schema, args.document, operation, lookup, variables);
          yield await runOperation(
            state,
            query.document,
            query.variables,
            operation.name?.value,
            state.authorization ? undefined : (lookup.comune ?? state.comune),
          );
          // graphql-ws asks for the next update once this one is on the socket.
          settleOne();
        }
      } finally {
        endForeground?.();
        queue.close();
        metrics.openSubscriptions.dec();
        await stopListening();
        logger.info(
          {
            field: root.name.value,
            clientId: state.caller.clientId ?? null,
            reason: state.endedBecause ?? 'completed by the client',
          },
          'subscription ended',
        );
      }
    }
    // graphql-ws calls return() when the client completes or leaves; a generator parked on an
    // empty queue would only see it at its next yield, so the queue is closed first.
    const events = deliver();
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => events.next(),
      return: async () => {
        queue.close();
        return events.return(undefined);
      },
      throw: async (error: unknown) => {
        queue.close();
        return events.throw(error);
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
