/**
 * Spike benchmark: a red alert goes out and thousands of citizens open their apps at once, all
 * asking for the active alerts and the waiting areas nearest to them. The same hub runs twice, with
 * the gateway's public response cache and in-flight merging on, then off; in the middle of the spike
 * civil protection issues a new alert, and the benchmark measures how long until every client has
 * seen it.
 *
 * What is measured. `clients` logical clients (apps) each open the app `rounds` times (one request
 * for the active alerts, one for the nearest waiting areas), then keep polling the active alerts
 * every `pollMs` until they see the new alert. Requests go out over at most `sockets` keep-alive
 * connections at a time (a client waits for a free one: that wait is in `clientWaitMs`, not in
 * `latencyMs`). Requests are persisted queries over GET (APQ hash, registered once before the
 * spike), as a CDN in front of the gateway would forward them; positions are rounded to a grid of
 * `positions` points, as an app rounds the phone's location before asking. The hub (subgraph +
 * gateway, one in-process bus) runs in a worker thread; the load generator in the main thread.
 *
 * Run on its own, from the build (the hub worker and the compiled workspaces are loaded from
 * `dist/`): `node test/dist/bench/spike.js [--clients=5000] [--rounds=1] [--sockets=64]
 * [--positions=40] [--maxAgeSeconds=5]`. Results go to `bench-results/spike.json`. With the
 * defaults both runs take well under two minutes on two cores; more `rounds` mostly lengthen the
 * run without sharing.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { numberArg, runsOnItsOwn, runThenExit } from './command-line.js';
import {
  SPIKE_CENTRE,
  type SpikeHubEndpoints,
  type SpikeHubMessage,
  type SpikeHubOptions,
} from './spike-hub.js';

/** Knobs of the spike; every one has a default. */
export interface SpikeOptions {
  /** Logical clients (apps). @default 5000 */
  clients?: number;
  /** Times each client opens the app (alerts + nearest areas) before polling. @default 1 */
  rounds?: number;
  /** Keep-alive connections to the gateway, i.e. requests in flight at once. @default 64 */
  sockets?: number;
  /** Distinct (rounded) client positions. @default 40 */
  positions?: number;
  /** Pause between polls of a client waiting for the new alert. @default 100 */
  pollMs?: number;
  /** The new alert is issued once this share of the opening requests is done. @default 0.5 */
  updateAt?: number;
  /** The gateway's public data bound, in seconds. @default 5 */
  maxAgeSeconds?: number;
  /** Zones of the town. @default 12 */
  zones?: number;
  /** Where to write the JSON results; `false` writes nothing. @default 'bench-results/spike.json' */
  output?: string | false;
  /** Progress lines. @default console.log */
  log?: (line: string) => void;
}

/** The figures of one run. */
export interface SpikeRunResult {
  mode: 'shared' | 'plain';
  responseCache: boolean;
  dedupe: boolean;
  requests: number;
  errors: number;
  durationMs: number;
  requestsPerSecond: number;
  /** Time on the wire: from sending on a connection to the whole answer. */
  latencyMs: { p50: number; p99: number; max: number };
  /** What a client waits: including the wait for a free connection. */
  clientWaitMs: { p50: number; p99: number };
  /** Fetches that reached the subgraph during the spike (gateway counter). */
  subgraphFetches: number;
  mergedFetches: number;
  cacheHits: number;
  cacheMisses: number;
  /** From the issueAlert answer until the last client saw the new alert. */
  updateVisibleToAllMs: number;
  clientsThatSawUpdate: number;
}

/** Everything the benchmark measured. */
export interface SpikeResult {
  benchmark: 'spike';
  at: string;
  options: Required<Omit<SpikeOptions, 'log' | 'output'>>;
  runs: SpikeRunResult[];
  /** Requests per second with sharing on, over off. */
  throughputRatio: number;
}

const DEFAULTS = {
  clients: 5_000,
  rounds: 1,
  sockets: 64,
  positions: 40,
  pollMs: 100,
  updateAt: 0.5,
  maxAgeSeconds: 5,
  zones: 12,
};

const ACTIVE_ALERTS =
  'query ActiveAlerts { activeAlerts { nodes { id colour phase headline zoneCodes validUntil } } }';
const NEAREST_AREAS =
  'query NearestAreas($latitude: Float!, $longitude: Float!) { nearestEmergencyAreas(latitude: $latitude, longitude: $longitude, kind: WAITING, limit: 3) { distanceMeters area { id name address } } }';
const ISSUE_ALERT = 'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id colour } }';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The value at quantile `q` of sorted numbers. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** A counting semaphore: at most `size` holders at once, the others wait in order. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

interface Answer {
  status: number;
  body: string;
}

function send(
  agent: Agent,
  target: URL,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      target,
      { agent, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A persisted query over GET: the URL a CDN would cache. */
function persistedUrl(gatewayUrl: string, query: string, variables?: Record<string, unknown>): URL {
  const url = new URL(gatewayUrl);
  url.searchParams.set(
    'extensions',
    JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(query) } }),
  );
  if (variables) url.searchParams.set('variables', JSON.stringify(variables));
  return url;
}

async function startHub(
  options: SpikeHubOptions,
): Promise<{ endpoints: SpikeHubEndpoints; stop(): Promise<void> }> {
  const worker = new Worker(new URL('./spike-hub.js', import.meta.url), {
    workerData: { spikeHub: options },
  });
  const first = await new Promise<SpikeHubMessage>((resolvePromise, reject) => {
    worker.once('message', resolvePromise);
    worker.once('error', reject);
  });
  if (first.kind !== 'ready') {
    await worker.terminate();
    throw new Error(`The spike hub did not start: ${first.kind === 'failed' ? first.message : first.kind}`);
  }
  return {
    endpoints: first.endpoints,
    async stop() {
      const stopped = new Promise<void>((resolvePromise) => worker.once('exit', () => resolvePromise()));
      worker.postMessage('stop');
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000))]);
      await worker.terminate();
    },
  };
}

async function gatewayCounters(agent: Agent, gatewayUrl: string) {
  const { body } = await send(agent, new URL('/metrics', gatewayUrl));
  const sum = (prefix: string) =>
    body
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
  return {
    fetches: sum('sportello_gateway_subgraph_fetches_total'),
    merges: sum('sportello_gateway_subgraph_fetch_merges_total'),
    hits: sum('sportello_gateway_response_cache_lookups_total{outcome="hit"}'),
    misses: sum('sportello_gateway_response_cache_lookups_total{outcome="miss"}'),
  };
}

async function runOnce(
  shared: boolean,
  options: Required<Omit<SpikeOptions, 'log' | 'output'>>,
  log: (line: string) => void,
) {
  const hub = await startHub({ shared, maxAgeSeconds: options.maxAgeSeconds, zones: options.zones });
  const { gatewayUrl, staffAuthorization } = hub.endpoints;
  const agent = new Agent({ keepAlive: true, maxSockets: options.sockets });
  const preflight = { 'apollo-require-preflight': 'true', 'x-comune': '099001' };
  try {
    // APQ registration of the app's two operations, as the first app to start would do.
    for (const query of [ACTIVE_ALERTS, NEAREST_AREAS]) {
      const url = persistedUrl(gatewayUrl, query, query === NEAREST_AREAS ? { ...SPIKE_CENTRE } : undefined);
      url.searchParams.set('query', query);
      const registered = await send(agent, url, { headers: preflight });
      if (registered.status !== 200)
        throw new Error(`Registering ${query.split(' ')[1]} failed: ${registered.body}`);
    }
    const positions = Array.from({ length: options.positions }, (_, i) => ({
      latitude: round1((SPIKE_CENTRE.latitude + ((i % 8) - 4) * 0.002) * 1000) / 1000,
      longitude: round1((SPIKE_CENTRE.longitude + (Math.floor(i / 8) - 2) * 0.002) * 1000) / 1000,
    }));
    const alertsUrl = persistedUrl(gatewayUrl, ACTIVE_ALERTS);
    const areaUrls = positions.map((position) => persistedUrl(gatewayUrl, NEAREST_AREAS, position));

    const slots = new Slots(options.sockets);
    const latencies: number[] = [];
    const waits: number[] = [];
    let errors = 0;
    let requests = 0;
    const openingRequests = options.clients * options.rounds * 2;
    let newAlertId: string | undefined;
    let issuedAt = 0;
    let triggerUpdate: () => void = () => undefined;
    const updateDue = new Promise<void>((resolvePromise) => (triggerUpdate = resolvePromise));
    const sawAt: number[] = [];

    async function call(url: URL): Promise<string | undefined> {
      const asked = performance.now();
      await slots.take();
      const sent = performance.now();
      try {
        const answer = await send(agent, url, { headers: preflight });
        const done = performance.now();
        latencies.push(done - sent);
        waits.push(done - asked);
        requests += 1;
        if (requests >= openingRequests * options.updateAt) triggerUpdate();
        if (answer.status !== 200 || answer.body.includes('"errors"')) {
          errors += 1;
          return undefined;
        }
        return answer.body;
      } catch {
        errors += 1;
        return undefined;
      } finally {
        slots.give();
      }
    }

    async function client(index: number): Promise<void> {
      let seen = false;
      const look = (body: string | undefined) => {
        if (!seen && newAlertId !== undefined && body?.includes(newAlertId)) {
          seen = true;
          sawAt.push(performance.now());
        }
      };
      for (let round = 0; round < options.rounds; round += 1) {
        look(await call(alertsUrl));
        await call(areaUrls[index % areaUrls.length]!);
      }
      while (!seen) {
        await new Promise((r) => setTimeout(r, options.pollMs));
        look(await call(alertsUrl));
      }
    }

    async function issueAlert(): Promise<void> {
      await updateDue;
      const now = Date.now();
      const answer = await send(agent, new URL(gatewayUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: staffAuthorization },
        body: JSON.stringify({
          query: ISSUE_ALERT,
          variables: {
            input: {
              hazard: 'HYDRAULIC',
              colour: 'RED',
              wholeComune: true,
              validFrom: new Date(now - 60_000).toISOString(),
              validUntil: new Date(now + 6 * 3_600_000).toISOString(),
              instructions: 'Salire ai piani alti, non usare i sottopassi, raggiungere le aree di attesa.',
            },
          },
        }),
      });
      const parsed = JSON.parse(answer.body) as { data?: { issueAlert: { id: string } }; errors?: unknown };
      if (!parsed.data) throw new Error(`issueAlert failed: ${answer.body}`);
      issuedAt = performance.now();
      newAlertId = parsed.data.issueAlert.id;
    }

    const before = await gatewayCounters(agent, gatewayUrl);
    log(
      `  ${shared ? 'shared (cache + merging on)' : 'plain (cache + merging off)'}: ${options.clients} clients...`,
    );
    const started = performance.now();
    await Promise.all([issueAlert(), ...Array.from({ length: options.clients }, (_, i) => client(i))]);
    const durationMs = performance.now() - started;
    const after = await gatewayCounters(agent, gatewayUrl);

    latencies.sort((a, b) => a - b);
    waits.sort((a, b) => a - b);
    const result: SpikeRunResult = {
      mode: shared ? 'shared' : 'plain',
      responseCache: shared,
      dedupe: shared,
      requests,
      errors,
      durationMs: Math.round(durationMs),
      requestsPerSecond: Math.round(requests / (durationMs / 1000)),
      latencyMs: {
        p50: round1(quantile(latencies, 0.5)),
        p99: round1(quantile(latencies, 0.99)),
        max: round1(latencies.at(-1) ?? 0),
      },
      clientWaitMs: { p50: round1(quantile(waits, 0.5)), p99: round1(quantile(waits, 0.99)) },
      // Minus the issueAlert mutation itself.
      subgraphFetches: after.fetches - before.fetches - 1,
      mergedFetches: after.merges - before.merges,
      cacheHits: after.hits - before.hits,
      cacheMisses: after.misses - before.misses,
      updateVisibleToAllMs: Math.round(Math.max(0, ...sawAt.map((at) => at - issuedAt))),
      clientsThatSawUpdate: sawAt.length,
    };
    return result;
  } finally {
    agent.destroy();
    await hub.stop();
  }
}

function table(runs: SpikeRunResult[]): string {
  const rows: Array<[string, (run: SpikeRunResult) => string]> = [
    ['requests', (r) => String(r.requests)],
    ['errors', (r) => String(r.errors)],
    ['duration (ms)', (r) => String(r.durationMs)],
    ['throughput (req/s)', (r) => String(r.requestsPerSecond)],
    ['latency p50 / p99 (ms)', (r) => `${r.latencyMs.p50} / ${r.latencyMs.p99}`],
    ['client wait p50 / p99 (ms)', (r) => `${r.clientWaitMs.p50} / ${r.clientWaitMs.p99}`],
    ['subgraph fetches', (r) => String(r.subgraphFetches)],
    ['merged fetches', (r) => String(r.mergedFetches)],
    ['cache hits / misses', (r) => `${r.cacheHits} / ${r.cacheMisses}`],
    ['update seen by all after (ms)', (r) => String(r.updateVisibleToAllMs)],
    ['clients that saw the update', (r) => String(r.clientsThatSawUpdate)],
  ];
  const header = ['', ...runs.map((r) => r.mode)];
  const body = rows.map(([label, value]) => [label, ...runs.map(value)]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  return [header, ...body]
    .map((row) =>
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}

/**
 * Runs the spike twice (sharing on, then off) and reports both.
 * @throws {Error} when the hub cannot start or the alert cannot be issued.
 */
export async function runSpikeBenchmark(options: SpikeOptions = {}): Promise<SpikeResult> {
  const { log = console.log, output = 'bench-results/spike.json', ...knobs } = options;
  const settings = { ...DEFAULTS, ...knobs };
  log(
    `spike: ${settings.clients} clients x ${settings.rounds} app openings, ${settings.sockets} connections, public bound ${settings.maxAgeSeconds} s`,
  );
  const runs: SpikeRunResult[] = [];
  for (const shared of [true, false]) runs.push(await runOnce(shared, settings, log));
  const [on, off] = runs as [SpikeRunResult, SpikeRunResult];
  const result: SpikeResult = {
    benchmark: 'spike',
    at: new Date().toISOString(),
    options: settings,
    runs,
    throughputRatio: Math.round((on.requestsPerSecond / Math.max(1, off.requestsPerSecond)) * 100) / 100,
  };
  log(table(runs));
  log(`throughput with sharing on / off: ${result.throughputRatio}x`);
  if (output !== false) {
    const path = resolve(output);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
    log(`written to ${output}`);
  }
  return result;
}

/** The number given as `--name=value`, or undefined; anything but a positive number is refused. */
function positiveNumberArg(name: string): number | undefined {
  const value = numberArg(name);
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new Error(`--${name} must be a positive number`);
  }
  return value;
}

if (runsOnItsOwn(import.meta.url)) {
  const overrides: SpikeOptions = {};
  for (const name of ['clients', 'rounds', 'sockets', 'positions', 'maxAgeSeconds'] as const) {
    const value = positiveNumberArg(name);
    if (value !== undefined) overrides[name] = value;
  }
  runThenExit(async () => {
    await runSpikeBenchmark(overrides);
  });
}
