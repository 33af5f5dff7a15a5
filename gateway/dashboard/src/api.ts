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
  close(): void;
}

export interface ApiOptions {
  token: string;
  /** Called at every (re)connection: `reconnected` is true after a drop, time to catch up. */
  onConnected(reconnected: boolean): void;
  onDisconnected(): void;
  onTokenExpired(): void;
}

function errorOf(errors: readonly { message: string; extensions?: Record<string, unknown> }[]): ApiError {
  const first = errors[0];
  const code = first?.extensions?.['code'];
  return new ApiError(first?.message ?? 'unknown error', typeof code === 'string' ? code : undefined);
}

/** Opens the connection to the gateway this page was served by. */
export function connectApi(options: ApiOptions): Api {
  const authorization = `Bearer ${options.token}`;
  let connections = 0;
  const ws: Client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: { authorization },
    // Open now and stay open: a dashboard wants to know it is live before anything happens.
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Capped back-off with jitter: after a gateway restart every open dashboard comes back, not all at once.
    retryWait: async (retries) => {
      const delay = Math.min(500 * 2 ** retries, 5_000);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    },
    shouldRetry: (event) => {
      const code = (event as { code?: number } | undefined)?.code;
      if (code === TOKEN_EXPIRED_CLOSE_CODE) {
        options.onTokenExpired();
        return false;
      }
      return true;
    },
    on: {
      connected: () => {
        connections += 1;
        options.onConnected(connections > 1);
      },
      closed: () => options.onDisconnected(),
    },
  });

  return {
    async query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: document, variables }),
      });
      const body = (await response.json()) as {
        data?: T | null;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      };
      if (response.status === 401) options.onTokenExpired();
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
    close: () => void ws.dispose(),
  };
}
