/**
 * Subscription latency benchmark: how long after a practice is committed does a staff member's
 * graphql-ws client hold the update, resolved with fields from practices, identity and tributi?
 *
 * What is measured. The embedded hub runs in this process (SQLite, in-process bus, every service
 * and the gateway on loopback). The URP front desk (staff of the practices office who may also
 * read names and dues) subscribes to `practiceChanged(office: "practices")` selecting
 * `id status applicant { givenName familyName paymentPositions { totalCount } }`. A citizen then
 * submits `events` practices one after another, straight to the practices subgraph (so the
 * gateway's per-client rate limit does not pace the run). For each practice:
 *
 * - `commitToClient`: from the commit of its first `practice.status-changed` after the draft (the
 *   practices database announces each commit of outbox events on the `OUTBOX_COMMITTED_CHANNEL`
 *   diagnostics channel, synchronously) to the moment the client has the resolved update: relay,
 *   bus, the gateway's authorisation, federated lookup across three subgraphs with the subscriber's
 *   token, the socket. This is the figure the target (p99 < 50 ms embedded) is about;
 * - `commitToBus`: from that commit to the event reaching the bus: the outbox relay's part;
 * - `busToClient`: from the moment that event reaches the bus: the gateway's part alone;
 * - `requestToClient`: from sending `submitPractice`: the whole path, mutation included.
 *
 * Practices are submitted one at a time, each after the previous one's updates arrived, so the
 * figures are latencies, not queueing. Client and hub share one event loop (a conservative setup).
 *
 * Run on its own, from the build: `node test/dist/bench/subscription-latency.js [--events=1000]
 * [--households=150]`. Results go to `bench-results/subscription-latency.json`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHubConfig, startEmbeddedHub } from '@sportello/hub';
import { OUTBOX_COMMITTED_CHANNEL, type OutboxCommittedMessage } from '@sportello/platform';
import { busSubjectPattern } from '@sportello/schema';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { devToken, graphql } from '../support/graphql-client.js';

/** Knobs of the benchmark; every one has a default. */
export interface SubscriptionLatencyOptions {
  /** Practices submitted, one update measured each. @default 1000 */
  events?: number;
  /** Size of the demo comune. @default 150 */
  households?: number;
  /** Where to write the JSON results; none when absent. */
  output?: string;
  log?: (line: string) => void;
}

/** Milliseconds, rounded to 0.1. */
export interface LatencyFigures {
  p50: number;
  p99: number;
  max: number;
}

/** What one run measured (numeric top-level fields are what the harness tabulates). */
export interface SubscriptionLatencyResult {
  events: number;
  /** Updates the subscriber received (a submission moves a practice twice: submitted, registered). */
  messages: number;
  commitToClientP50Ms: number;
  commitToClientP99Ms: number;
  commitToClientMaxMs: number;
  commitToBusP50Ms: number;
  commitToBusP99Ms: number;
  busToClientP50Ms: number;
  busToClientP99Ms: number;
  busToClientMaxMs: number;
  requestToClientP50Ms: number;
  requestToClientP99Ms: number;
  requestToClientMaxMs: number;
  /** Updates that carried errors (a subgraph refusing a field): should be 0. */
  updatesWithErrors: number;
  commitToClient: LatencyFigures;
  commitToBus: LatencyFigures;
  busToClient: LatencyFigures;
  requestToClient: LatencyFigures;
  targetP99Ms: number;
}

const TARGET_P99_MS = 50;
const SUBSCRIPTION = `
  subscription OfficePractices {
    practiceChanged(office: "practices") {
      id
      status
      applicant {
        givenName
        familyName
        paymentPositions {
          totalCount
        }
      }
    }
  }
`;
/** A form of the bulky-waste collection type (practices office, no attachments required). */
const BULKY_WASTE = {
  typeCode: 'bulky-waste-collection',
  data: {
    pickupAddress: { street: 'Via Roma', number: '12', postcode: '12100' },
    items: [{ kind: 'mattress' }],
    phone: '+39 0171 123456',
  },
};

function figures(samples: readonly number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? 0) };
}

/** A practice waiting for its updates: when the first arrived, and how many did. */
interface Pending {
  first: ReturnType<typeof deferred>;
  count: number;
  at?: number;
}

/** A promise with its resolver, for "the client has the update of practice X". */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the benchmark once on a fresh embedded hub. */
export async function runSubscriptionLatencyBenchmark(
  options: SubscriptionLatencyOptions = {},
): Promise<SubscriptionLatencyResult> {
  const events = options.events ?? 1000;
  const log = options.log ?? (() => undefined);
  const dataDir = await mkdtemp(join(tmpdir(), 'sportello-latency-'));
  const config = loadHubConfig({
    PORT: '0',
    SMTP_PORT: '0',
    DATA_DIR: dataDir,
    DEMO_HOUSEHOLDS: String(options.households ?? 150),
    LOG_LEVEL: 'warn',
  });
  log(`subscription-latency: starting the embedded hub (${config.demoHouseholds} households)`);
  const hub = await startEmbeddedHub(config);
  let client: Client | undefined;
  try {
    const identity = hub.services.identity!;
    const practicesUrl = `${hub.services.practices!}/graphql`;
    const staff = (await devToken(identity, { subject: 'urp.galli' })).access_token;
    let citizen = (await devToken(identity, { kind: 'citizen' })).access_token;

    // When each outbox event of practices committed (the database announces it right after the
    // commit), when each practice's first non-draft change reached the bus, and which event that was.
    const committedAt = new Map<string, number>();
    const onCommit = (message: unknown) => {
      const at = performance.now();
      const { service, eventIds } = message as OutboxCommittedMessage;
      if (service === 'practices') for (const id of eventIds) committedAt.set(id, at);
    };
    subscribe(OUTBOX_COMMITTED_CHANNEL, onCommit);
    const onBus = new Map<string, number>();
    const firstEvent = new Map<string, string>();
    const waiting = new Map<string, Pending>();
    let messages = 0;
    let updatesWithErrors = 0;
    const listener = await hub.bus.listen(busSubjectPattern({ type: 'practice.status-changed' }), (event) => {
      const data = event.data as { practiceId: string; to: string };
      if (data.to !== 'draft' && !onBus.has(data.practiceId)) {
        onBus.set(data.practiceId, performance.now());
        firstEvent.set(data.practiceId, event.id);
      }
    });

    let failure: unknown;
    client = createClient({
      url: hub.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${staff}` },
    });
    client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: (value) => {
          const at = performance.now();
          messages += 1;
          if (value.errors) updatesWithErrors += 1;
          const id = (value.data?.['practiceChanged'] as { id?: string } | undefined)?.id;
          const entry = id ? waiting.get(id) : undefined;
          if (!entry) return;
          entry.count += 1;
          if (entry.count === 1) {
            entry.at = at;
            entry.first.resolve();
          }
        },
        error: (error) => (failure = error),
        complete: () => undefined,
      },
    );
    const metricsUrl = hub.url.replace(/\/graphql$/, '/metrics');
    for (let tries = 0; ; tries += 1) {
      const metrics = await (await fetch(metricsUrl)).text();
      if (/^sportello_gateway_open_subscriptions [1-9]/m.test(metrics)) break;
      if (failure !== undefined || tries > 200) {
        throw new Error(`the subscription never opened: ${JSON.stringify(failure)}`);
      }
      await new Promise((done) => setTimeout(done, 25));
    }

    const commitToClient: number[] = [];
    const commitToBus: number[] = [];
    const busToClient: number[] = [];
    const requestToClient: number[] = [];
    log(`subscription-latency: submitting ${events} practices`);
    for (let i = 0; i < events; i += 1) {
      // A fresh token now and then: the subgraph has no rate limit, but tokens do expire.
      if (i > 0 && i % 500 === 0) citizen = (await devToken(identity, { kind: 'citizen' })).access_token;
      const draft = await graphql<{ createPracticeDraft: { id: string } }>(
        practicesUrl,
        'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
        { token: citizen, variables: { input: BULKY_WASTE } },
      );
      const id = draft.data?.createPracticeDraft.id;
      if (!id) throw new Error(`draft refused: ${JSON.stringify(draft.errors)}`);
      const entry: Pending = { first: deferred(), count: 0 };
      waiting.set(id, entry);
      const sent = performance.now();
      const submitted = await graphql(practicesUrl, `mutation { submitPractice(id: "${id}") { id } }`, {
        token: citizen,
      });
      if (submitted.errors) throw new Error(`submission refused: ${JSON.stringify(submitted.errors)}`);
      await within(entry.first.promise, 10_000, `update of practice ${id}`);
      requestToClient.push(entry.at! - sent);
      busToClient.push(entry.at! - (onBus.get(id) ?? sent));
      const committed = committedAt.get(firstEvent.get(id) ?? '');
      if (committed === undefined) throw new Error(`the commit of practice ${id}'s change was not announced`);
      commitToClient.push(entry.at! - committed);
      commitToBus.push((onBus.get(id) ?? committed) - committed);
      // Let the second change (registered) arrive before the next practice, so runs do not overlap.
      for (let spins = 0; entry.count < 2 && spins < 200; spins += 1) {
        await new Promise((done) => setTimeout(done, 1));
      }
      waiting.delete(id);
      onBus.delete(id);
      firstEvent.delete(id);
      committedAt.clear();
      if ((i + 1) % 250 === 0) log(`  ${i + 1}/${events}`);
    }
    await listener.stop();
    unsubscribe(OUTBOX_COMMITTED_CHANNEL, onCommit);

    const commit = figures(commitToClient);
    const relay = figures(commitToBus);
    const bus = figures(busToClient);
    const request = figures(requestToClient);
    const result: SubscriptionLatencyResult = {
      events,
      messages,
      commitToClientP50Ms: commit.p50,
      commitToClientP99Ms: commit.p99,
      commitToClientMaxMs: commit.max,
      commitToBusP50Ms: relay.p50,
      commitToBusP99Ms: relay.p99,
      busToClientP50Ms: bus.p50,
      busToClientP99Ms: bus.p99,
      busToClientMaxMs: bus.max,
      requestToClientP50Ms: request.p50,
      requestToClientP99Ms: request.p99,
      requestToClientMaxMs: request.max,
      updatesWithErrors,
      commitToClient: commit,
      commitToBus: relay,
      busToClient: bus,
      requestToClient: request,
      targetP99Ms: TARGET_P99_MS,
    };
    log(
      `subscription-latency: commit→client p50 ${commit.p50} ms, p99 ${commit.p99} ms ` +
        `(target p99 < ${TARGET_P99_MS} ms); commit→bus p50 ${relay.p50} ms, p99 ${relay.p99} ms; ` +
        `bus→client p50 ${bus.p50} ms, p99 ${bus.p99} ms; ` +
        `request→client p50 ${request.p50} ms, p99 ${request.p99} ms`,
    );
    if (options.output) {
      await mkdir(dirname(resolve(options.output)), { recursive: true });
      await writeFile(resolve(options.output), `${JSON.stringify(result, null, 2)}\n`);
    }
    return result;
  } finally {
    await client?.dispose();
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function numberArg(name: string): number | undefined {
  const arg = process.argv.find((value) => value.startsWith(`--${name}=`));
  return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const events = numberArg('events');
  const households = numberArg('households');
  runSubscriptionLatencyBenchmark({
    ...(events ? { events } : {}),
    ...(households ? { households } : {}),
    output: 'bench-results/subscription-latency.json',
    log: (line) => console.log(line),
  }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
