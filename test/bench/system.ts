/**
 * The system the gateway and SQL benchmarks run against: the services of the embedded hub in one
 * child process, and each gateway under test in a child process of its own, all on loopback.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generatePopulation } from '@sportello/hub';
import { freePort } from '../support/free-port.js';
import { startChild, type BenchChild } from './child-process.js';
import type { ServicesReady } from './processes/services.js';

/** The repository root (this file runs from `test/dist/bench/`). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The committed supergraph both gateways boot from. */
export const SUPERGRAPH_FILE = `${ROOT}schema/supergraph.graphql`;

/**
 * A citizen's overview touching every subgraph: names (identity), residence and documents
 * (anagrafe), payment positions with their instalments (tributi), practices with their type and
 * timeline (practices), and the messages the comune sent them (notifier).
 */
export const OVERVIEW_QUERY = `query Overview {
  me {
    fiscalCode
    givenName
    familyName
    residence { address { street number zone } residentSince }
    identityDocuments { kind expiresOn valid }
    paymentPositions(first: 50) {
      totalCount
      nodes { id kind year amountCents status instalments { number amountCents dueDate status noticeNumber } }
    }
    practices { nodes { id status typeCode type { title office } timeline { at to } } }
    notifications(first: 10) { nodes { eventId subject deliveries { channel status } } }
  }
}`;

/** The smallest authenticated question: one field of one subgraph. */
export const LIGHT_QUERY = 'query Me { me { givenName } }';

/** Starts the services process (embedded hub with a demo comune of `households`). */
export function startServices(households: number) {
  return startChild<ServicesReady>(
    new URL('./processes/services.js', import.meta.url),
    [JSON.stringify({ households })],
    { readyTimeoutMs: 300_000 },
  );
}

/** A gateway under test, in its own process. */
export interface GatewayProcess {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/** Waits until `url` answers 200. @throws {Error} after `timeoutMs`. */
async function waitFor200(url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 in time:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Our gateway as its own process runs it (`gateway/dist/main.js`), in front of the services. Rate
 * limits are raised out of the way (every request comes from one IP and a few tokens): the
 * benchmark measures the gateway, not its limiter.
 */
export async function startOurGateway(services: ServicesReady): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [`${ROOT}gateway/dist/main.js`], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SPORTELLO_MODE: 'demo',
      TOKEN_ISSUER: services.issuer,
      JWKS_URL: services.jwksUrl,
      INTERNAL_SECRET: services.internalSecret,
      TOKEN_AUDIENCE: 'sportello-api',
      GATEWAY_SUBGRAPHS: Object.entries(services.services)
        .map(([name, base]) => `${name}=${base}/graphql`)
        .join(','),
      GATEWAY_SUPERGRAPH_FILE: SUPERGRAPH_FILE,
      GATEWAY_CLIENT_RATE_LIMIT: '1000000',
      GATEWAY_IP_RATE_LIMIT: '1000000',
      BUS: 'inprocess',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${base}/health`, 60_000, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    name: 'sportello',
    url: `${base}/graphql`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Hive Gateway over the same supergraph and subgraphs, in its own process. */
export async function startHiveGateway(services: ServicesReady): Promise<GatewayProcess> {
  const child: BenchChild<{ url: string }> = await startChild(
    new URL('./processes/hive-gateway.js', import.meta.url),
    [
      JSON.stringify({
        supergraphFile: SUPERGRAPH_FILE,
        subgraphUrls: Object.fromEntries(
          Object.entries(services.services).map(([name, base]) => [name, `${base}/graphql`]),
        ),
        internalSecret: services.internalSecret,
      }),
    ],
  );
  return { name: 'hive', url: child.ready.url, stop: () => child.stop() };
}

/** Asks identity's demo endpoint for a token (`POST /auth/dev/token`, on the public origin). */
export async function devToken(publicUrl: string, subject: string): Promise<string> {
  const response = await fetch(`${publicUrl}/auth/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject }),
  });
  if (!response.ok) throw new Error(`dev token for ${subject}: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A staff member's token for `office` (`POST /auth/dev/token` with a kind). */
export async function staffToken(publicUrl: string, office: string): Promise<string> {
  const response = await fetch(`${publicUrl}/auth/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'staff', office }),
  });
  if (!response.ok) throw new Error(`dev staff token: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Heads of household of the demo comune (they pay the household's taxes): the first `count`. */
export function householdHeads(services: ServicesReady, count: number): string[] {
  return generatePopulation({ households: services.households, istat: services.comune })
    .people.filter((person) => person.relationship === 'head')
    .slice(0, count)
    .map((person) => person.fiscalCode);
}

/** Posts a GraphQL operation and returns the parsed answer. */
export async function graphql<T>(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<{ status: number; data?: T; errors?: Array<{ message: string; extensions?: unknown }> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}
