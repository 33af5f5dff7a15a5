/**
 * Subscription fan-out: many anonymous graphql-ws subscribers to the public `alertChanged` on one
 * gateway (the embedded hub's, in its own process with the services), then civil protection issues
 * an alert: how long until every subscriber has it, and how much memory each open subscription
 * costs the hub process. The subscribers live in this process.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { percentiles, round } from './figures.js';
import { cell, type SectionResult } from './report.js';
import type { MemoryFigures } from './processes/services.js';
import { graphql, staffToken, startServices } from './system.js';

/** Knobs of the fan-out benchmark. */
export interface FanOutOptions {
  /** Subscribers. @default 10000 */
  subscribers?: number;
  /** Connections being opened at once. @default 200 */
  openConcurrency?: number;
  /** Households of the demo comune. @default 100 */
  households?: number;
  log?: (line: string) => void;
}

const SUBSCRIPTION = 'subscription Alerts { alertChanged { kind alert { id colour hazard phase } } }';
const ISSUE_ALERT = 'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }';

/** Subscribers per source address: the gateway allows each address 1200 requests a minute. */
const PER_ADDRESS = 500;

/**
 * A WebSocket opened from a given loopback address (any of 127.0.0.0/8 on Linux), so that ten
 * thousand subscribers look like the many devices they stand for, not one address over its limit.
 */
function webSocketFrom(localAddress: string): unknown {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  };
}

/** Reads a gauge or counter (summed over labels) from a Prometheus text page. */
function metric(page: string, name: string): number {
  return page
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Runs the fan-out. @throws {Error} when subscribers cannot connect or the alert is not issued. */
export async function runFanOutBenchmark(options: FanOutOptions = {}): Promise<SectionResult> {
  const { log = console.log, subscribers = 10_000, openConcurrency = 200, households = 100 } = options;
  log(`fan-out: starting the hub (${households} households)...`);
  const services = await startServices(households, { exposeGc: true });
  const clients: Client[] = [];
  try {
    const { gatewayUrl, comune } = services.ready;
    const metricsUrl = gatewayUrl.replace(/\/graphql$/, '/metrics');
    const wsUrl = gatewayUrl.replace(/^http/, 'ws');
    const openSubscriptions = async () =>
      metric(await (await fetch(metricsUrl)).text(), 'sportello_gateway_open_subscriptions');
    const staff = await staffToken(services.ready.publicUrl, 'civil-protection');

    const memoryBefore = await services.ask<MemoryFigures>({ op: 'memory' });

    const received: number[] = new Array<number>(subscribers).fill(0);
    // Set once the alert is issued: only that alert counts as received.
    const expected: { id?: string } = {};
    let errors = 0;
    const errorSamples: string[] = [];
    let allReceived: () => void = () => undefined;
    const everyone = new Promise<void>((resolve) => (allReceived = resolve));
    let receivedCount = 0;

    log(`fan-out: opening ${subscribers} subscriptions, ${openConcurrency} at a time...`);
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
    const memoryAfter = await services.ask<MemoryFigures>({ op: 'memory' });
    log(`  ${subscribers} open after ${Math.round(openMs)} ms`);

    const now = Date.now();
    const issuedAt = performance.now();
    const issued = await graphql<{ issueAlert: { id: string } }>(gatewayUrl, ISSUE_ALERT, {
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
    await Promise.race([everyone, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    const arrivals = received.filter((at) => at > 0).map((at) => at - issuedAt);
    const lastMs = arrivals.length > 0 ? Math.max(...arrivals) : 0;
    const heapPerSubscription = (memoryAfter.heapUsed - memoryBefore.heapUsed) / subscribers;
    const rssPerSubscription = (memoryAfter.rss - memoryBefore.rss) / subscribers;
    const figures = {
      subscribers,
      openMs: Math.round(openMs),
      issueAlertMs: round(answeredAt - issuedAt),
      receivedBy: arrivals.length,
      firstReceivedMs: arrivals.length > 0 ? round(Math.min(...arrivals)) : null,
      allReceivedMs: arrivals.length === subscribers ? round(lastMs) : null,
      arrivalMs: percentiles(arrivals),
      errors,
      errorSamples,
      heapPerSubscriptionKiB: round(heapPerSubscription / 1024),
      rssPerSubscriptionKiB: round(rssPerSubscription / 1024),
      memoryBefore,
      memoryAfter,
    };
    log(`  ${arrivals.length}/${subscribers} received, last after ${round(lastMs)} ms`);
    return {
      section: 'fan-out',
      title: `${subscribers} graphql-ws subscribers to alertChanged on one gateway, one alert issued`,
      tables: [
        {
          header: ['figure', 'value'],
          rows: [
            ['subscribers', cell(subscribers)],
            ['open all (ms)', cell(figures.openMs)],
            ['issueAlert answered after (ms)', cell(figures.issueAlertMs)],
            ['received by', `${arrivals.length}/${subscribers}`],
            ['first received after (ms)', cell(figures.firstReceivedMs)],
            ['all received after (ms)', cell(figures.allReceivedMs)],
            ['arrival p50 / p99 (ms)', `${figures.arrivalMs.p50} / ${figures.arrivalMs.p99}`],
            ['errors', cell(errors)],
            ['heap per subscription (KiB)', cell(figures.heapPerSubscriptionKiB)],
            ['RSS per subscription (KiB)', cell(figures.rssPerSubscriptionKiB)],
          ],
        },
      ],
      notes: [
        `subscribers connect from ${Math.ceil(subscribers / PER_ADDRESS)} loopback addresses (${PER_ADDRESS} each), within the gateway's per-address limit`,
        'times from sending issueAlert; memory is the hub process (gateway and services) after a GC, before vs with every subscription open',
        `the hub also plans and sends the alert's notifications to the demo residents (${households} households) meanwhile`,
        ...(errorSamples.length > 0 ? [`errors, e.g. ${errorSamples[0]}`] : []),
      ],
      data: figures,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await services.stop();
  }
}
