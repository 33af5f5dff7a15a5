/**
 * Subscription latency benchmark: how long after a practice is committed does a staff member's
 * graphql-ws client hold the update, resolved with fields from practices, identity and tributi?
 *
 * What is measured. The embedded hub runs in this process (SQLite, in-process bus, every service
 * and the gateway on loopback). The URP front desk (staff of the practices office who may also
 * read names and dues) subscribes to `practiceChanged(office: "practices")` selecting
 * `from to practice { id status applicant { givenName familyName paymentPositions { totalCount } } }`. A citizen then
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
 * with an event loop of its own as a real client has; the hub has the main thread, and the SMTP
 * server its notifications go to (an external server in production) a thread of its own.
 *
 * The hub runs as shipped: its background work (bus consumers planning notifications and storing
 * audit entries, the notifier's sending) waits for the gateway's requests and subscribers' updates
 * in progress. Unless `peer` is false, a second hub is then measured the same way with that work not
 * held back, and the ratio of the two p99 is reported.
 *
 * The figures are of a warm hub, as a comune's hub is after its first minutes: the run starts once
 * the hub's start-up work is done (the demo comune's seed events consumed: no outbox commit for a
 * while), and the first `warmup` practices are not measured (the code paths are still being
 * compiled then; their p50 and max are reported apart).
 *
 * Run on its own, from the build: `node test/dist/bench/subscription-latency.js [--events=1000]
 * [--warmup=50] [--households=150] [--peer=0]`. Results go to `bench-results/subscription-latency.json`.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startEmbeddedHub } from '@sportello/hub';
import { OUTBOX_COMMITTED_CHANNEL, type OutboxCommittedMessage } from '@sportello/platform';
import { busSubjectPattern } from '@sportello/schema';
import { devToken } from '../support/graphql-client.js';
import { numberArg, runsOnItsOwn, runThenExit } from './command-line.js';
import { embeddedHubConfig } from './embedded-hub-config.js';
import { percentiles, ratio } from './figures.js';
import { BULKY_WASTE } from './live-clients.js';
import { type LatencyClientInput, type LatencyClientMessage } from './subscription-latency-client.js';

/** Knobs of the benchmark; every one has a default. */
export interface SubscriptionLatencyOptions {
  /** Practices submitted, one update measured each. @default 1000 */
  events?: number;
  /** Practices submitted first and not measured. @default 50 */
  warmup?: number;
  /** Size of the demo comune. @default 150 */
  households?: number;
  /**
   * Also measures, on a second hub in the same run, the loop shared as work comes: background work
   * (consumers, sending) does not wait for requests and updates in progress. @default true
   */
  peer?: boolean;
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
  warmupEvents: number;
  /** Commit to client over the warm-up practices (not in the figures below). */
  warmupCommitToClientP50Ms: number;
  warmupCommitToClientMaxMs: number;
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
  /** The peer hub (background work not held back), when measured. */
  peerCommitToClientP50Ms?: number;
  peerCommitToClientP99Ms?: number;
  /** Commit-to-client p99 of the peer over this hub's (above 1: this hub is faster). */
  peerP99Ratio?: number | null;
  peer?: Measured;
}

/** What one hub measured. */
interface Measured {
  messages: number;
  updatesWithErrors: number;
  commitToClient: LatencyFigures;
  commitToBus: LatencyFigures;
  busToClient: LatencyFigures;
  requestToClient: LatencyFigures;
  warmup: LatencyFigures;
}

interface HubRun {
  events: number;
  warmup: number;
  households: number;
  foregroundFirst: boolean;
  log: (line: string) => void;
}

const TARGET_P99_MS = 50;
/** The hub counts as settled after this long without an outbox commit. */
const QUIET_MS = 500;
/** Longest wait for the hub to settle before measuring anyway. */
const MAX_SETTLE_MS = 60_000;
const SUBSCRIPTION = `
  subscription OfficePractices {
    practiceChanged(office: "practices") {
      from
      to
      practice {
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
  }
`;

function figures(samples: readonly number[]): LatencyFigures {
  const { p50, p99, max } = percentiles(samples);
  return { p50, p99, max };
}

/**
 * Runs the benchmark on a fresh embedded hub, then (unless `peer` is false) on a second one whose
 * background work does not wait for requests and updates in progress.
 */
export async function runSubscriptionLatencyBenchmark(
  options: SubscriptionLatencyOptions = {},
): Promise<SubscriptionLatencyResult> {
  const run = {
    events: options.events ?? 1000,
    warmup: options.warmup ?? 50,
    households: options.households ?? 150,
    log: options.log ?? (() => undefined),
  };
  const main = await measureHub({ ...run, foregroundFirst: true });
  const peer = options.peer === false ? undefined : await measureHub({ ...run, foregroundFirst: false });
  const { commitToClient: commit, commitToBus: relay, busToClient: bus, requestToClient: request } = main;
  const result: SubscriptionLatencyResult = {
    events: run.events,
    warmupEvents: run.warmup,
    warmupCommitToClientP50Ms: main.warmup.p50,
    warmupCommitToClientMaxMs: main.warmup.max,
    messages: main.messages,
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
    updatesWithErrors: main.updatesWithErrors,
    commitToClient: commit,
    commitToBus: relay,
    busToClient: bus,
    requestToClient: request,
    targetP99Ms: TARGET_P99_MS,
    ...(peer
      ? {
          peerCommitToClientP50Ms: peer.commitToClient.p50,
          peerCommitToClientP99Ms: peer.commitToClient.p99,
          peerP99Ratio: ratio(peer.commitToClient.p99, commit.p99),
          peer,
        }
      : {}),
  };
  if (peer) {
    run.log(
      `subscription-latency: commit→client p99 ${commit.p99} ms with background work waiting for ` +
        `requests, ${peer.commitToClient.p99} ms without (${result.peerP99Ratio}x)`,
    );
  }
  if (options.output) {
    await mkdir(dirname(resolve(options.output)), { recursive: true });
    await writeFile(resolve(options.output), `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

/** Measures one fresh embedded hub. */
async function measureHub(run: HubRun): Promise<Measured> {
  const { events, warmup, log } = run;
  const name = run.foregroundFirst ? 'subscription-latency' : 'subscription-latency (peer)';
  const dataDir = await mkdtemp(join(tmpdir(), 'sportello-latency-'));
  const mailServer = new Worker(new URL('./mail-server-thread.js', import.meta.url), {
    workerData: { folder: join(dataDir, 'mailbox') },
  });
  const smtpPort = await new Promise<number>((done, fail) => {
    mailServer.once('message', (message: { port: number }) => done(message.port));
    mailServer.once('error', fail);
  });
  // Known here: the client thread signs its calls straight to the practices subgraph with it.
  const { config, internalSecret } = embeddedHubConfig({ dataDir, smtpPort, households: run.households });
  // Absolute times, comparable with the client thread's.
  const now = () => performance.timeOrigin + performance.now();
  let lastCommitAt = now();
  const onAnyCommit = () => (lastCommitAt = now());
  subscribe(OUTBOX_COMMITTED_CHANNEL, onAnyCommit);
  log(
    `${name}: starting an embedded hub (${config.demoHouseholds} households, ` +
      `background work ${run.foregroundFirst ? 'waits for requests' : 'not held back'})`,
  );
  const hub = await startEmbeddedHub(config, { foregroundFirst: run.foregroundFirst });
  try {
    const settleStarted = now();
    while (now() - lastCommitAt < QUIET_MS && now() - settleStarted < MAX_SETTLE_MS) {
      await new Promise((done) => setTimeout(done, 50));
    }
    unsubscribe(OUTBOX_COMMITTED_CHANNEL, onAnyCommit);
    log(`${name}: the hub settled after ${Math.round(now() - settleStarted)} ms`);
    const publicUrl = hub.url.replace(/\/graphql$/, '');
    const staff = (await devToken(publicUrl, { subject: 'urp.galli' })).access_token;

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

    log(`${name}: submitting ${warmup} + ${events} practices`);
    const input: LatencyClientInput = {
      gatewayUrl: hub.url,
      practicesUrl: `${hub.services.practices!}/graphql`,
      internalSecret,
      identityUrl: publicUrl,
      staffToken: staff,
      events,
      warmup,
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
    const warmupCommitToClient: number[] = [];
    for (const [index, sample] of outcome.samples.entries()) {
      const bus = onBus.get(sample.practiceId);
      const committed = committedAt.get(bus?.eventId ?? '');
      if (bus === undefined || committed === undefined) {
        throw new Error(`the commit of practice ${sample.practiceId}'s change was not seen`);
      }
      if (index < warmup) {
        warmupCommitToClient.push(sample.firstUpdateAt - committed);
        continue;
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
    const cold = figures(warmupCommitToClient);
    log(
      `${name}: commit→client p50 ${commit.p50} ms, p99 ${commit.p99} ms ` +
        `(target p99 < ${TARGET_P99_MS} ms); commit→bus p50 ${relay.p50} ms, p99 ${relay.p99} ms; ` +
        `bus→client p50 ${bus.p50} ms, p99 ${bus.p99} ms; ` +
        `request→client p50 ${request.p50} ms, p99 ${request.p99} ms; ` +
        `warm-up (${warmup} practices, not counted) commit→client p50 ${cold.p50} ms, max ${cold.max} ms`,
    );
    return {
      messages,
      updatesWithErrors,
      commitToClient: commit,
      commitToBus: relay,
      busToClient: bus,
      requestToClient: request,
      warmup: cold,
    };
  } finally {
    unsubscribe(OUTBOX_COMMITTED_CHANNEL, onAnyCommit);
    await hub.close();
    mailServer.postMessage('close');
    await new Promise((done) => mailServer.once('exit', done));
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (runsOnItsOwn(import.meta.url)) {
  const events = numberArg('events');
  const warmup = numberArg('warmup');
  const households = numberArg('households');
  const peer = numberArg('peer');
  runThenExit(async () => {
    await runSubscriptionLatencyBenchmark({
      ...(peer === 0 ? { peer: false } : {}),
      ...(events ? { events } : {}),
      ...(warmup !== undefined ? { warmup } : {}),
      ...(households ? { households } : {}),
      output: 'bench-results/subscription-latency.json',
      log: (line) => console.log(line),
    });
  });
}
