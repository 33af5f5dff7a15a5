import { type Client, createClient } from 'graphql-ws';

/** A GraphQL error as the gateway reports it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Close code the gateway uses when the token of a live connection expires. */
export const TOKEN_EXPIRED_CLOSE_CODE = 4403;

/** The connection to the gateway: queries over HTTP, live updates over graphql-ws. */
export interface Api {
  query<T>(document: string, variables?: Record<string, unknown>): Promise<T>;
  /**
   * Subscribes until the returned function is called. Errors of the subscription itself (e.g. the
   * field is not in the schema) go to `onError`; network drops do not: the client reconnects.
   */
  subscribe<T>(
    document: string,
    variables: Record<string, unknown>,
    onData: (data: T) => void,
    onError: (error: ApiError) => void,
  ): () => void;
  /**
   * Connects again with the current token (after a renewal): at once, without showing a drop; the
   * page catches up as after any reconnection.
   */
  reauthenticate(): void;
  close(): void;
}

export interface ApiOptions {
  /** The access token to use now (renewed first when it has run out). */
  token(): Promise<string>;
  /**
   * A token to use instead of one the gateway refused (expired, revoked); rejects when the session
   * is over, which the page has then been told.
   */
  replace(refused: string): Promise<string>;
  /** Called at every (re)connection: `reconnected` is true after a drop, time to catch up. */
  onConnected(reconnected: boolean): void;
  onDisconnected(): void;
  /** The gateway refused even a freshly renewed token: the session is over. */
  onTokenRefused(): void;
}

function errorOf(errors: readonly { message: string; extensions?: Record<string, unknown> }[]): ApiError {
  const first = errors[0];
  const code = first?.extensions?.['code'];
  return new ApiError(first?.message ?? 'unknown error', typeof code === 'string' ? code : undefined);
}

/** Opens the connection to the gateway this page was served by. */
export function connectApi(options: ApiOptions): Api {
  let connections = 0;
  let socket: WebSocket | undefined;
  /** The token the live connection authenticated with last. */
  let liveToken = '';
  /** The gateway closed the connection for its token: renew before connecting again. */
  let tokenRefused = false;
  /** A token renewed since the last successful connection was refused too. */
  let renewedSinceConnected = false;
  /** A reconnection the page asked for: no "reconnecting" for its close, no waiting before it. */
  let quietClose = false;
  let skipWait = false;
  const ws: Client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: async () => {
      liveToken = await options.token();
      return { authorization: `Bearer ${liveToken}` };
    },
    // Open now and stay open: a dashboard wants to know it is live before anything happens.
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Capped back-off with jitter: after a gateway restart every open dashboard comes back, not all at once.
    retryWait: async (retries) => {
      if (tokenRefused) {
        tokenRefused = false;
        if (renewedSinceConnected) {
          options.onTokenRefused();
          return new Promise<void>(() => undefined);
        }
        renewedSinceConnected = true;
        try {
          await options.replace(liveToken);
          return;
        } catch {
          // The session is over: the page has closed this client.
          return new Promise<void>(() => undefined);
        }
      }
      if (skipWait) {
        skipWait = false;
        return;
      }
      const delay = Math.min(500 * 2 ** retries, 5_000);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    },
    shouldRetry: (event) => {
      const code = (event as { code?: number } | undefined)?.code;
      // Expired or revoked: a renewed token may be let in (the renewal says whether the session is over).
      if (code === TOKEN_EXPIRED_CLOSE_CODE) tokenRefused = true;
      return true;
    },
    on: {
      opened: (opened) => {
        socket = opened as WebSocket;
      },
      connected: () => {
        connections += 1;
        renewedSinceConnected = false;
        skipWait = false;
        options.onConnected(connections > 1);
      },
      closed: () => {
        if (quietClose) quietClose = false;
        else options.onDisconnected();
      },
    },
  });

  async function post(token: string, body: string): Promise<Response> {
    return fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
  }

  return {
    async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
      const request = JSON.stringify({ query: document, variables });
      const token = await options.token();
      let response = await post(token, request);
      // Expired or revoked on the way: once more with a renewed token (rejects when the session is over).
      if (response.status === 401) response = await post(await options.replace(token), request);
      const body = (await response.json()) as {
        data?: T | null;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      };
      if (body.errors?.length) throw errorOf(body.errors);
      if (!body.data) throw new ApiError(`the gateway answered ${response.status}`, undefined);
      return body.data;
    },
    subscribe<T>(
      document: string,
      variables: Record<string, unknown>,
      onData: (data: T) => void,
      onError: (error: ApiError) => void,
    ) {
      return ws.subscribe<T>(
        { query: document, variables },
        {
          next: (result) => {
            if (result.errors?.length) onError(errorOf(result.errors));
            else if (result.data) onData(result.data as T);
          },
          error: (error) => {
            if (Array.isArray(error)) onError(errorOf(error));
            else if (!(error instanceof CloseEvent) && error instanceof Error)
              onError(new ApiError(error.message, undefined));
          },
          complete: () => undefined,
        },
      );
    },
    reauthenticate() {
      if (socket?.readyState !== WebSocket.OPEN) return;
      quietClose = true;
      skipWait = true;
      socket.close(4000, 'Token renewed');
    },
    close: () => void ws.dispose(),
  };
}
