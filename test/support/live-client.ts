import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** One subscription as a client app holds it: what it received, and how it ended. */
export interface LiveSubscription {
  results: Array<{ data?: Record<string, unknown> | null; errors?: unknown[] }>;
  errors: unknown[];
}

/** graphql-ws clients on real sockets to one gateway, as browsers and apps open them. */
export interface LiveClients {
  /** Opens a client, authenticated with `token` in the connection parameters when given. */
  connect(token?: string): Client;
  /** Subscribes and records every result and error. */
  subscribe(client: Client, query: string, variables?: Record<string, unknown>): LiveSubscription;
  /** Subscriptions the gateway holds open, from its metrics: they listen once this counts them. */
  openSubscriptions(): Promise<number>;
  /** Closes every client opened here. */
  dispose(): Promise<void>;
}

/** Clients of the gateway at `api` (`http://host:port/graphql`). */
export function liveClients(api: string): LiveClients {
  const clients: Client[] = [];
  return {
    connect(token) {
      const client = createClient({
        url: api.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      });
      clients.push(client);
      return client;
    },
    subscribe(client, query, variables) {
      const subscription: LiveSubscription = { results: [], errors: [] };
      client.subscribe(
        { query, ...(variables ? { variables } : {}) },
        {
          next: (value) => void subscription.results.push(value as LiveSubscription['results'][number]),
          error: (error) => void subscription.errors.push(error),
          complete: () => undefined,
        },
      );
      return subscription;
    },
    async openSubscriptions() {
      const metrics = await (await fetch(api.replace(/\/graphql$/, '/metrics'))).text();
      return Number(/^sportello_gateway_open_subscriptions (\d+)/m.exec(metrics)?.[1] ?? 0);
    },
    async dispose() {
      for (const client of clients.splice(0)) await client.dispose();
    },
  };
}
