/**
 * Subscription fan-out, in both modes: many anonymous graphql-ws subscribers to the public
 * `alertChanged` on one gateway, then civil protection issues an alert: how long until every
 * subscriber has it, and how much memory each open subscription costs the gateway's process.
 *
 * What runs. The hub as a user starts it (`hub/dist/<mode>.js`, a process of its own; distributed:
 * a process per service and one for the gateway, on PostgreSQL and NATS). The subscribers live in
 * this process, spread over loopback addresses as devices are.
 *
 * Memory is read the same way in both modes, from the Node process metrics a `/metrics` page
 * reports (`sportello_process_resident_memory_bytes`, `sportello_nodejs_heap_size_used_bytes`) for
 * the gateway's process: the gateway's own page when distributed; embedded, the page of the service
 * that reports the process (one process holds the gateway and every service). Each figure is the
 * least of several readings, a second apart, so that garbage waiting for collection counts little.
 *
 * Run on its own, from the build: `node test/dist/bench/fan-out.js [--mode=embedded|distributed]
 * [--subscribers=10000] [--openConcurrency=200] [--households=100]`. Distributed needs PostgreSQL
 * and NATS on their usual local ports.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { devToken, graphql } from '../support/graphql-client.js';
import { startHub, type RunningHub } from '../support/running-hub.js';
import { numberArg, runsOnItsOwn, runThenExit, stringArg } from './command-line.js';
import { percentiles, round, type Percentiles } from './figures.js';
import { cell, type SectionResult } from './report.js';

type Mode = 'embedded' | 'distributed';

/** Knobs of the fan-out benchmark. */
export interface FanOutOptions {
  /** @default both, embedded first */
  modes?: Mode[];
  /** Subscribers. @default 10000 */
  subscribers?: number;
  /** Connections being opened at once. @default 200 */
  openConcurrency?: number;
  /** Households of the demo comune. @default 100 */
  households?: number;
  log?: (line: string) => void;
}

/** Heap and RSS of a process, in bytes, from its process metrics. */
export interface MemoryFigures {
  heapUsed: number;
  rss: number;
}

/** What one mode measured. */
export interface FanOutFigures {
  mode: Mode;
  subscribers: number;
  openMs: number;
  issueAlertMs: number;
  receivedBy: number;
  firstReceivedMs: number | null;
  allReceivedMs: number | null;
  arrivalMs: Percentiles;
  errors: number;
  errorSamples: string[];
  /** Fetches the gateway sent to subgraphs from issuing the alert until every subscriber had it. */
  subgraphFetches: number;
  heapPerSubscriptionKiB: number;
  rssPerSubscriptionKiB: number;
  /** Whose `/metrics` page the memory was read from: `gateway`, or a service's name. */
  memoryFrom: string;
  memoryBefore: MemoryFigures;
  memoryAfter: MemoryFigures;
}

const SUBSCRIPTION = 'subscription Alerts { alertChanged { kind alert { id colour hazard phase } } }';
const ISSUE_ALERT = 'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }';

/** Subscribers per source address, as devices behind a few addresses. */
const PER_ADDRESS = 500;
const RSS = 'sportello_process_resident_memory_bytes';
const HEAP = 'sportello_nodejs_heap_size_used_bytes';

/**
 * A WebSocket opened from a given loopback address (any of 127.0.0.0/8 on Linux), so that ten
 * thousand subscribers look like the many devices they stand for, not one address.
 */
function webSocketFrom(localAddress: string): unknown {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  };
}

/** Reads a gauge or counter (summed over labels) from a Prometheus text page; NaN when absent. */
function metric(page: string, name: string): number {
  const lines = page
    .split('\n')
    .filter((line) => (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && !line.startsWith('#'));
  return lines.length === 0 ? NaN : lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const page = async (url: string): Promise<string> =>
  fetch(url).then(
    (response) => response.text(),
    () => '',
  );

/**
 * The `/metrics` page that reports the process the gateway runs in: the gateway's own (a process of
 * its own), else, on the embedded hub, the service's that reports the process they all share.
 */
async function processMetrics(hub: RunningHub): Promise<{ url: string; of: string }> {
  const gateway = hub.api.replace(/\/graphql$/, '/metrics');
  if (!Number.isNaN(metric(await page(gateway), RSS))) return { url: gateway, of: 'gateway' };
  if (hub.mode === 'embedded') {
    const services = /services\s+(.+)/.exec(hub.process.output())?.[1] ?? '';
    for (const [, name, address] of services.matchAll(/(\S+) (127\.0\.0\.1:\d+)/g)) {
      const url = `http://${address}/metrics`;
      if (!Number.isNaN(metric(await page(url), RSS))) return { url, of: name! };
    }
  }
  throw new Error(`no /metrics page reports the gateway's process (${RSS})`);
}

/** Heap and RSS of the process, each the least of `readings` readings a second apart. */
async function memoryOf(url: string, readings = 5): Promise<MemoryFigures> {
  const figures = { heapUsed: Infinity, rss: Infinity };
  for (let i = 0; i < readings; i += 1) {
    if (i > 0) await new Promise((done) => setTimeout(done, 1_000));
    const text = await page(url);
    figures.heapUsed = Math.min(figures.heapUsed, metric(text, HEAP));
    figures.rss = Math.min(figures.rss, metric(text, RSS));
  }
  if (!Number.isFinite(figures.heapUsed) || !Number.isFinite(figures.rss))
    throw new Error(`${url} reports no ${HEAP} or ${RSS}`);
  return figures;
}

/** Runs the fan-out in each mode and reports both. */
export async function runFanOutBenchmark(options: FanOutOptions = {}): Promise<SectionResult> {
  const modes = options.modes ?? ['embedded', 'distributed'];
  const log = options.log ?? console.log;
  const results: FanOutFigures[] = [];
  for (const mode of modes) results.push(await measureMode(mode, { ...options, log }));
  const subscribers = options.subscribers ?? 10_000;
  const households = options.households ?? 100;
  const each = (pick: (r: FanOutFigures) => string) => results.map(pick);
  return {
    section: 'fan-out',
    title: `${subscribers} graphql-ws subscribers to alertChanged on one gateway, one alert issued`,
    tables: [
      {
        header: ['figure', ...results.map((r) => r.mode)],
        rows: [
          ['subscribers', ...each((r) => cell(r.subscribers))],
          ['open all (ms)', ...each((r) => cell(r.openMs))],
          ['issueAlert answered after (ms)', ...each((r) => cell(r.issueAlertMs))],
          ['received by', ...each((r) => `${r.receivedBy}/${r.subscribers}`)],
          ['first received after (ms)', ...each((r) => cell(r.firstReceivedMs))],
          ['all received after (ms)', ...each((r) => cell(r.allReceivedMs))],
          ['arrival p50 / p99 (ms)', ...each((r) => `${r.arrivalMs.p50} / ${r.arrivalMs.p99}`)],
          ['errors', ...each((r) => cell(r.errors))],
          ['heap per subscription (KiB)', ...each((r) => cell(r.heapPerSubscriptionKiB))],
          ['RSS per subscription (KiB)', ...each((r) => cell(r.rssPerSubscriptionKiB))],
        ],
      },
    ],
    notes: [
      'targets: every subscriber served within 1 s of the commit, < 16 KiB per subscription',
      `subscribers connect from ${Math.ceil(subscribers / PER_ADDRESS)} loopback addresses (${PER_ADDRESS} each); the gateway's rate limits are raised for the run`,
      "times from sending issueAlert; memory is the gateway's process from its process metrics (embedded: the hub, gateway and services; distributed: the gateway alone), least of 5 readings, before vs with every subscription open",
      `the hub also plans and sends the alert's notifications to the demo residents (${households} households) meanwhile`,
      ...results.flatMap((r) =>
        r.errorSamples.slice(0, 1).map((sample) => `${r.mode}: errors, e.g. ${sample}`),
      ),
    ],
    data: results,
  };
}

async function measureMode(
  mode: Mode,
  options: FanOutOptions & { log: (line: string) => void },
): Promise<FanOutFigures> {
  const { log, subscribers = 10_000, openConcurrency = 200, households = 100 } = options;
  log(`fan-out (${mode}): starting the hub (${households} households)...`);
  const hub = await startHub(mode, {
    households,
    env: {
      LOG_LEVEL: 'warn',
      // The subscribers are many devices; here they share a few addresses and one app.
      GATEWAY_CLIENT_RATE_LIMIT: '1000000',
      GATEWAY_IP_RATE_LIMIT: '1000000',
    },
  });
  const clients: Client[] = [];
  try {
    const { api, comune } = hub;
    const metricsUrl = api.replace(/\/graphql$/, '/metrics');
    const wsUrl = api.replace(/^http/, 'ws');
    const openSubscriptions = async () =>
      metric(await page(metricsUrl), 'sportello_gateway_open_subscriptions');
    const staff = (await devToken(hub.identity, { kind: 'staff', office: 'civil-protection' })).access_token;

    const memoryFrom = await processMetrics(hub);
    const memoryBefore = await memoryOf(memoryFrom.url);

    const received: number[] = new Array<number>(subscribers).fill(0);
    // Set once the alert is issued: only that alert counts as received.
    const expected: { id?: string } = {};
    let errors = 0;
    const errorSamples: string[] = [];
    let allReceived: () => void = () => undefined;
    const everyone = new Promise<void>((resolve) => (allReceived = resolve));
    let receivedCount = 0;

    log(`fan-out (${mode}): opening ${subscribers} subscriptions, ${openConcurrency} at a time...`);
    const openStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: openConcurrency }, async () => {
        while (next < subscribers) {
          const index = next++;
          await new Promise<void>((resolve, reject) => {
            const client = createClient({
              url: wsUrl,
              webSocketImpl: webSocketFrom(`127.0.1.${1 + Math.floor(index / PER_ADDRESS)}`),
              connectionParams: { comune },
              lazy: false,
              retryAttempts: 0,
              keepAlive: 0,
              on: {
                connected: () => resolve(),
                closed: (event) => reject(new Error(`subscriber ${index} closed: ${JSON.stringify(event)}`)),
              },
            });
            clients.push(client);
            client.subscribe<{ alertChanged: { alert: { id: string } | null } }>(
              { query: SUBSCRIPTION },
              {
                next: (value) => {
                  if (value.errors) {
                    errors += 1;
                    if (errorSamples.length < 3) errorSamples.push(JSON.stringify(value.errors));
                    return;
                  }
                  if (value.data?.alertChanged.alert?.id !== expected.id || received[index] !== 0) return;
                  received[index] = performance.now();
                  receivedCount += 1;
                  if (receivedCount === subscribers) allReceived();
                },
                error: (error) => {
                  errors += 1;
                  if (errorSamples.length < 3) errorSamples.push(String(error));
                },
                complete: () => undefined,
              },
            );
          });
        }
      }),
    );
    // Connected is not subscribed yet: wait until the gateway counts every subscription.
    const deadline = Date.now() + 60_000;
    while ((await openSubscriptions()) < subscribers) {
      if (Date.now() > deadline) throw new Error(`only ${await openSubscriptions()} subscriptions open`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const openMs = performance.now() - openStarted;
    const memoryAfter = await memoryOf(memoryFrom.url);
    log(`  ${subscribers} open after ${Math.round(openMs)} ms`);

    const now = Date.now();
    // A counter with labels has no line before its first increment.
    const fetches = async () =>
      metric(await page(metricsUrl), 'sportello_gateway_subgraph_fetches_total') || 0;
    const fetchesBefore = await fetches();
    const issuedAt = performance.now();
    const issued = await graphql<{ issueAlert: { id: string } }>(api, ISSUE_ALERT, {
      token: staff,
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
    });
    const answeredAt = performance.now();
    if (!issued.data) throw new Error(`issueAlert failed: ${JSON.stringify(issued.errors)}`);
    expected.id = issued.data.issueAlert.id;
    const timeoutMs = 90_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([everyone, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    const arrivals = received.filter((at) => at > 0).map((at) => at - issuedAt);
    const lastMs = arrivals.length > 0 ? Math.max(...arrivals) : 0;
    const subgraphFetches = (await fetches()) - fetchesBefore;
    log(
      `  ${arrivals.length}/${subscribers} received, last after ${round(lastMs)} ms; ${subgraphFetches} subgraph fetches`,
    );
    return {
      mode,
      subscribers,
      openMs: Math.round(openMs),
      issueAlertMs: round(answeredAt - issuedAt),
      receivedBy: arrivals.length,
      firstReceivedMs: arrivals.length > 0 ? round(Math.min(...arrivals)) : null,
      allReceivedMs: arrivals.length === subscribers ? round(lastMs) : null,
      arrivalMs: percentiles(arrivals),
      errors,
      errorSamples,
      subgraphFetches,
      heapPerSubscriptionKiB: round((memoryAfter.heapUsed - memoryBefore.heapUsed) / subscribers / 1024),
      rssPerSubscriptionKiB: round((memoryAfter.rss - memoryBefore.rss) / subscribers / 1024),
      memoryFrom: memoryFrom.of,
      memoryBefore,
      memoryAfter,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await hub.stop();
  }
}

if (runsOnItsOwn(import.meta.url)) {
  const mode = stringArg('mode');
  const subscribers = numberArg('subscribers');
  const openConcurrency = numberArg('openConcurrency');
  const households = numberArg('households');
  runThenExit(async () => {
    const result = await runFanOutBenchmark({
      ...(mode ? { modes: [mode as Mode] } : {}),
      ...(subscribers ? { subscribers } : {}),
      ...(openConcurrency ? { openConcurrency } : {}),
      ...(households ? { households } : {}),
    });
    console.log(JSON.stringify(result.tables, null, 2));
    for (const note of result.notes) console.log(`note: ${note}`);
  });
}
