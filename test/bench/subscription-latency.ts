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
 * figures are latencies, not queueing. The client (subscriber and citizen) runs in a worker thread,
 * with an event loop of its own as a real client has; the hub has the main thread.
 *
 * Run on its own, from the build: `node test/dist/bench/subscription-latency.js [--events=1000]
 * [--households=150]`. Results go to `bench-results/subscription-latency.json`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadHubConfig, startEmbeddedHub } from '@sportello/hub';
import { OUTBOX_COMMITTED_CHANNEL, type OutboxCommittedMessage } from '@sportello/platform';
import { busSubjectPattern } from '@sportello/schema';
import { devToken } from '../support/graphql-client.js';
import { type LatencyClientInput, type LatencyClientMessage } from './subscription-latency-client.js';

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
  try {
    const identity = hub.services.identity!;
    const staff = (await devToken(identity, { subject: 'urp.galli' })).access_token;

    // Absolute times, comparable with the client thread's.
    const now = () => performance.timeOrigin + performance.now();
    // When each outbox event of practices committed (the database announces it right after the
    // commit), when each practice's first non-draft change reached the bus, and which event that was.
    const committedAt = new Map<string, number>();
    const onCommit = (message: unknown) => {
      const at = now();
      const { service, eventIds } = message as OutboxCommittedMessage;
      if (service === 'practices') for (const id of eventIds) committedAt.set(id, at);
    };
    subscribe(OUTBOX_COMMITTED_CHANNEL, onCommit);
    const onBus = new Map<string, { at: number; eventId: string }>();
    const listener = await hub.bus.listen(busSubjectPattern({ type: 'practice.status-changed' }), (event) => {
      const data = event.data as { practiceId: string; to: string };
      if (data.to !== 'draft' && !onBus.has(data.practiceId)) {
        onBus.set(data.practiceId, { at: now(), eventId: event.id });
      }
    });

    log(`subscription-latency: submitting ${events} practices`);
    const input: LatencyClientInput = {
      gatewayUrl: hub.url,
      practicesUrl: `${hub.services.practices!}/graphql`,
      identityUrl: identity,
      staffToken: staff,
      events,
      subscription: SUBSCRIPTION,
      draft: BULKY_WASTE,
    };
    const outcome = await new Promise<Extract<LatencyClientMessage, { kind: 'done' }>>((done, fail) => {
      const worker = new Worker(new URL('./subscription-latency-client.js', import.meta.url), {
        workerData: input,
      });
      worker.on('message', (message: LatencyClientMessage) => {
        if (message.kind === 'progress') log(`  ${message.done}/${events}`);
        else if (message.kind === 'done') done(message);
        else fail(new Error(`the client failed: ${message.error}`));
      });
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the client thread exited with code ${code}`)));
    });

    const commitToClient: number[] = [];
    const commitToBus: number[] = [];
    const busToClient: number[] = [];
    const requestToClient: number[] = [];
    for (const sample of outcome.samples) {
      const bus = onBus.get(sample.practiceId);
      const committed = committedAt.get(bus?.eventId ?? '');
      if (bus === undefined || committed === undefined) {
        throw new Error(`the commit of practice ${sample.practiceId}'s change was not seen`);
      }
      commitToClient.push(sample.firstUpdateAt - committed);
      commitToBus.push(bus.at - committed);
      busToClient.push(sample.firstUpdateAt - bus.at);
      requestToClient.push(sample.firstUpdateAt - sample.sentAt);
    }
    const { messages, updatesWithErrors } = outcome;
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
