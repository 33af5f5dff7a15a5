/**
 * Child process of the gateway benchmark: Hive Gateway's runtime over the same supergraph as ours,
 * with the subgraph URLs written into the SDL (Hive reads them from `@join__graph(url:)`), served
 * by `node:http`. It forwards what our gateway forwards to subgraphs: `Authorization`, `x-comune`
 * and the trace context, and the internal assertion the services ask for, so the subgraphs do the
 * same work for both.
 *
 * Argument: JSON `{ "supergraphFile": string, "subgraphUrls": { name: url }, "port": number }`.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { createInternalAssertions } from '@sportello/platform';
import { serveParent } from '../child-process.js';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  supergraphFile: string;
  subgraphUrls: Record<string, string>;
  /** The services answer only calls signed with it, as ours are. */
  internalSecret: string;
  port?: number;
};
const internal = createInternalAssertions({ secret: options.internalSecret, caller: 'hive-gateway' });

/** Fills `@join__graph(name: "x", url: "")` with the URL of each subgraph. */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<string, string>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) => {
    const url = urls[name];
    if (url === undefined) throw new Error(`no URL for subgraph ${name}`);
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
}

const FORWARDED = ['authorization', 'x-comune', 'traceparent', 'tracestate'];

serveParent(async () => {
  const supergraph = withSubgraphUrls(await readFile(options.supergraphFile, 'utf8'), options.subgraphUrls);
  const runtime = createGatewayRuntime({
    supergraph,
    logging: false,
    graphqlEndpoint: '/graphql',
    propagateHeaders: {
      fromClientToSubgraphs({ request }) {
        return {
          ...Object.fromEntries(FORWARDED.map((name) => [name, request.headers.get(name)])),
          ...internal.headers(),
        };
      },
    },
  });
  const server = createServer(runtime);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ready: { url: `http://127.0.0.1:${port}/graphql` },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.dispose();
    },
  };
});
