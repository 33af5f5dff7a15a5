/**
 * Lanes benchmark: does bulk work hold back what is urgent?
 *
 * 1. **Embedded hub under a billing run.** The hub runs as `npm start` runs it (the demo comune, one
 *    process, SQLite, in-process bus) in a child process watched from inside (`processes/lanes-hub.ts`).
 *    Tributi staff start a bulk job of `positions` payment positions (TARI for the whole population,
 *    round robin): `positions` bulk events go through the outbox, the bus and the notifier. While
 *    they drain, the civil-protection office issues a red alert, citizens submit practices, and
 *    citizens keep asking a light query. Measured: the alert from its commit to its first delivery
 *    accepted by a provider (target: under 2 s), practice events from commit to the bus (p50/p99),
 *    the light query's p50/p99 before and during the run (target: p99 within 2x), and how long the
 *    billing events took to reach the bus and to be planned by the notifier.
 * 2. **The relay on PostgreSQL and NATS.** 20,000 events waiting in an outbox (a billing run's),
 *    then one alert committed behind them: how long the relay takes to publish them all, and the
 *    alert's commit-to-bus time, with the relay's publish window (64) and with one publish at a
 *    time (as before lanes and pipelining).
 */
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { generatePopulation } from '@sportello/hub';
import {
  createDatabase,
  createInternalAssertions,
  createNatsBus,
  createOutboxRelay,
  createLogger,
  OUTBOX_MIGRATIONS,
  recordEvent,
  type Database,
} from '@sportello/platform';
import { createEvent } from '@sportello/schema';
import { tariNoticeCreated } from '@sportello/test-support/notifier';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { devToken, graphql } from '../support/graphql-client.js';
import { startHub } from '../support/running-hub.js';
import { startChild } from './child-process.js';
import { numberArg, runsOnItsOwn, runThenExit, stringArg } from './command-line.js';
import { percentiles, ratio, round, type Percentiles } from './figures.js';
import { BULKY_WASTE, openLiveSubscribers } from './live-clients.js';
import type { EventTimes, LanesHubReady } from './processes/lanes-hub.js';
import { formatSection, writeSectionJson, type SectionResult } from './report.js';

/** Knobs of the lanes benchmark; every one has a default. */
export interface LanesBenchOptions {
  /** Size of the demo comune. @default 1200 (the demo's) */
  households?: number;
  /** Payment positions of the billing run. @default 10_000 */
  positions?: number;
  /** Light queries are asked by this many clients at once. @default 4 */
  clients?: number;
  /** How long each light-query phase lasts. @default 8_000 */
  phaseMs?: number;
  /** Practices submitted during the run. @default 20 */
  practices?: number;
  /** Events waiting in the outbox for the relay part. @default 20_000 */
  relayEvents?: number;
  /** Which parts run: the hub under a billing run, the relay alone, or both. @default 'all' */
  part?: 'hub' | 'relay' | 'all';
  /** Wait for the billing run to reach the bus and the notifier after the measures. @default true */
  drain?: boolean;
  /** A folder where the hub's process writes its CPU profile (`--cpu-prof`) when it stops. */
  profileDir?: string;
  /**
   * How the hub part runs: embedded (one process, SQLite, in-process bus, watched from inside) or
   * distributed (PostgreSQL, NATS, one process per service, watched from outside). @default 'embedded'
   */
  mode?: 'embedded' | 'distributed';
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks `{ me { givenName } }` from `clients` loops until `until()` says stop; latencies in ms. */
async function lightLoad(gatewayUrl: string, tokens: string[], clients: number, until: () => boolean) {
  const latencies: number[] = [];
  /** When each answered query was sent (this process's time), in the order of `latencies`. */
  const sentAt: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; !until(); i += clients) {
        const started = performance.now();
        const answer = await graphql(gatewayUrl, '{ me { givenName } }', {
          token: tokens[i % tokens.length]!,
        });
        if (answer.errors || answer.status !== 200) errors += 1;
        else {
          latencies.push(performance.now() - started);
          sentAt.push(started);
        }
      }
    }),
  );
  return { latencies, sentAt, errors };
}

/** The embedded hub under a billing run. */
async function embeddedRun(
  options: Required<Omit<LanesBenchOptions, 'log' | 'relayEvents' | 'part' | 'profileDir' | 'mode'>>,
  log: (line: string) => void,
  profileDir?: string,
) {
  const hub = await startChild<LanesHubReady>(
    new URL('./processes/lanes-hub.js', import.meta.url),
    [JSON.stringify({ households: options.households })],
    {
      readyTimeoutMs: 600_000,
      ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
    },
  );
  try {
    const { gatewayUrl, services, publicUrl, comune } = hub.ready;
    const internal = createInternalAssertions({ secret: hub.ready.internalSecret, caller: 'gateway' });
    const { people } = generatePopulation({ households: options.households, istat: comune });
    const tributiStaff = (await devToken(publicUrl, { kind: 'staff', office: 'tributi' })).access_token;
    const civilProtection = (await devToken(publicUrl, { kind: 'staff', office: 'civil-protection' }))
      .access_token;
    const citizens = await Promise.all(
      Array.from({ length: 16 }, async () => (await devToken(publicUrl, { kind: 'citizen' })).access_token),
    );

    // The start-up work (the seed's events, first reminders) done: nothing new on the bus for 3 s.
    log('lanes: waiting for the hub to settle...');
    for (let quiet = 0, last = -1; quiet < 3;) {
      const total = (
        await Promise.all(
          ['audit.personal-data-read', 'payment.due-soon', 'payment.position-created'].map((type) =>
            hub.ask<{ count: number }>({ op: 'count', type }),
          ),
        )
      ).reduce((sum, count) => sum + count.count, 0);
      quiet = total === last ? quiet + 1 : 0;
      last = total;
      await sleep(1_000);
    }

    const origin = await hub.ask<number>({ op: 'origin' });
    // A staff member following the practices office and a resident following the alerts.
    const subscribers = await openLiveSubscribers({
      api: gatewayUrl,
      comune,
      staffToken: (await devToken(publicUrl, { kind: 'staff', office: 'practices' })).access_token,
      office: 'practices',
      staff: 1,
      anonymous: 1,
      perAddress: 1,
    });

    log(`lanes: light query, ${options.clients} clients, ${options.phaseMs} ms, idle hub...`);
    await lightLoad(
      gatewayUrl,
      citizens,
      options.clients,
      (() => {
        const end = performance.now() + 2_000;
        return () => performance.now() > end;
      })(),
    );
    const idleEnd = performance.now() + options.phaseMs;
    const idle = await lightLoad(gatewayUrl, citizens, options.clients, () => performance.now() > idleEnd);

    log(`lanes: billing run of ${options.positions} positions...`);
    const before = await hub.ask<{ count: number; lastAt: number }>({
      op: 'count',
      type: 'payment.position-created',
    });
    const items = Array.from({ length: options.positions }, (_, i) => ({
      payerFiscalCode: people[i % people.length]!.fiscalCode,
      amountCents: 10_000 + (i % 500),
      externalRef: `TARI-BENCH-${randomBytes(3).toString('hex')}-${i}`,
    }));
    const bulkBefore = await bulkHandled(services['notifier']!);
    const runStartedAt = await hub.ask<number>({ op: 'now' });
    const runSentAt = performance.now();
    const job = await graphql<{ startPaymentBulkJob: { id: string } }>(
      `${services['tributi']}/graphql`,
      'mutation Bulk($input: NewPaymentBulkJobInput!) { startPaymentBulkJob(input: $input) { id } }',
      {
        token: tributiStaff,
        headers: internal.headers(),
        variables: {
          input: {
            idempotencyKey: `bench-lanes-${Date.now()}`,
            kind: 'TARI',
            year: 2026,
            description: 'TARI 2026',
            dueDates: ['2026-12-16'],
            items,
          },
        },
      },
    );
    if (job.errors) throw new Error(`bulk job refused: ${JSON.stringify(job.errors)}`);

    // While the run drains: the light query again, an alert, practices.
    const duringEnd = performance.now() + options.phaseMs;
    const during = lightLoad(gatewayUrl, citizens, options.clients, () => performance.now() > duringEnd);
    await sleep(1_500);
    const alertSentAt = performance.now();
    const now = Date.now();
    const alert = await graphql<{ issueAlert: { id: string } }>(
      gatewayUrl,
      'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }',
      {
        token: civilProtection,
        variables: {
          input: {
            hazard: 'HYDRAULIC',
            colour: 'RED',
            zoneCodes: generatePopulation({ households: 1, istat: comune }).comune.zones.map(
              (zone) => zone.code,
            ),
            validFrom: new Date(now).toISOString(),
            validUntil: new Date(now + 6 * 3_600_000).toISOString(),
            headline: 'Allerta rossa durante la bollettazione',
            instructions: 'Restare in casa.',
          },
        },
      },
    );
    if (alert.errors) throw new Error(`alert refused: ${JSON.stringify(alert.errors)}`);
    for (let i = 0; i < options.practices; i++) {
      const citizen = citizens[i % citizens.length]!;
      const draft = await graphql<{ createPracticeDraft: { id: string } }>(
        `${services['practices']}/graphql`,
        'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
        { token: citizen, variables: { input: BULKY_WASTE }, headers: internal.headers() },
      );
      const id = draft.data?.createPracticeDraft.id;
      if (!id) throw new Error(`draft refused: ${JSON.stringify(draft.errors)}`);
      await graphql(`${services['practices']}/graphql`, `mutation { submitPractice(id: "${id}") { id } }`, {
        token: citizen,
        headers: internal.headers(),
      });
      await sleep(200);
    }
    const loaded = await during;

    // The alert's first delivery and first mail may come after the light-query phase: give them time.
    let timings: EventTimes[] = [];
    for (let tries = 0; tries < 240; tries++) {
      timings = await hub.ask<EventTimes[]>({
        op: 'timings',
        types: ['alert.issued', 'practice.submitted', 'practice.status-changed'],
      });
      const times = timings.find((t) => t.type === 'alert.issued');
      if (times?.firstDeliveryAt !== undefined && times.firstMailAt !== undefined) break;
      await sleep(500);
    }
    const alertTimes = timings.find((t) => t.type === 'alert.issued');
    const practiceTimes = timings.filter((t) => t.type.startsWith('practice.') && t.commitAt !== undefined);
    const practiceBus = practiceTimes.filter((t) => t.busAt !== undefined).map((t) => t.busAt! - t.commitAt!);
    // Each submission changes a practice's state once: `practiceChanged` carries those.
    const live = await subscribers.settle({
      staffUpdates: practiceTimes.filter((t) => t.type === 'practice.status-changed').length,
      alertUpdates: 1,
      quietMs: 15_000,
    });
    await subscribers.terminate();
    const practiceArrivals = new Map(live.staff[0]!.map((arrival) => [arrival.eventId, arrival.receivedAt]));
    const practiceClient = practiceTimes
      .filter((t) => practiceArrivals.has(t.id))
      .map((t) => practiceArrivals.get(t.id)! - (origin + t.commitAt!));
    const alertArrivals = live.anonymous[0] ?? [];
    const alertArrival = alertArrivals.find((arrival) => arrival.kind === 'ISSUED') ?? alertArrivals[0];
    const sinceAlertCommit = (at: number | undefined) =>
      at !== undefined && alertTimes?.commitAt !== undefined ? round(at - alertTimes.commitAt) : null;
    /** The alert's way, each step in ms after its commit. */
    const alertFigures = {
      bus: sinceAlertCommit(alertTimes?.busAt),
      client: sinceAlertCommit(alertArrival ? alertArrival.receivedAt - origin : undefined),
      planning: sinceAlertCommit(alertTimes?.planningAt),
      audience: sinceAlertCommit(alertTimes?.audienceAt),
      contacts: sinceAlertCommit(alertTimes?.contactsAt),
      planned: sinceAlertCommit(alertTimes?.plannedAt),
      claimed: sinceAlertCommit(alertTimes?.claimedAt),
      sending: sinceAlertCommit(alertTimes?.sendingAt),
      firstDelivery: sinceAlertCommit(alertTimes?.firstDeliveryAt),
      firstMailAtWire: sinceAlertCommit(alertTimes?.firstMailAt),
    };
    log(`  alert after its commit (ms): ${JSON.stringify(alertFigures)}`);
    // Where the slowest light queries of the run fell, and the hub loop's longest stalls: ms after
    // the billing run was started, and after the alert was sent (its commit, for the stalls).
    const slowest = loaded.latencies
      .map((ms, i) => ({
        ms: round(ms),
        sinceRun: round(loaded.sentAt[i]! - runSentAt),
        sinceAlert: round(loaded.sentAt[i]! - alertSentAt),
      }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5);
    const stalls = (await hub.ask<Array<{ at: number; ms: number }>>({ op: 'stalls', since: runStartedAt }))
      .slice(0, 8)
      .map((stall) => ({
        ms: round(stall.ms),
        sinceRun: round(stall.at - runStartedAt),
        sinceAlert: alertTimes?.commitAt === undefined ? null : round(stall.at - alertTimes.commitAt),
      }));
    log(`  slowest light queries: ${JSON.stringify(slowest)}`);
    log(`  longest stalls of the hub's loop: ${JSON.stringify(stalls)}`);
    const idleFigures = percentiles(idle.latencies);
    const loadedFigures = percentiles(loaded.latencies);
    log(
      `  light query p50/p99 ms: idle ${idleFigures.p50}/${idleFigures.p99}, during the run ` +
        `${loadedFigures.p50}/${loadedFigures.p99}; practice events p50/p99 ms: commit to bus ` +
        `${percentiles(practiceBus).p50}/${percentiles(practiceBus).p99}, commit to subscriber ` +
        `${percentiles(practiceClient).p50}/${percentiles(practiceClient).p99} (${practiceClient.length})`,
    );

    if (options.drain) log('lanes: waiting for the billing events to reach the bus and the notifier...');
    let published = options.drain ? before : { count: before.count + options.positions, lastAt: Number.NaN };
    for (let tries = 0; published.count - before.count < options.positions && tries < 600; tries++) {
      await sleep(1_000);
      published = await hub.ask<{ count: number; lastAt: number }>({
        op: 'count',
        type: 'payment.position-created',
      });
    }
    const bulkPlanned =
      options.drain && (await waitForBulkPlanned(services['notifier']!, bulkBefore, options.positions, 600));
    const plannedAt = await hub.ask<number>({ op: 'now' });

    return {
      households: options.households,
      positions: options.positions,
      alert: alertFigures,
      alertCommitToFirstDeliveryMs: sinceAlertCommit(alertTimes?.firstDeliveryAt),
      practiceCommitToBus: percentiles(practiceBus),
      practiceCommitToClient: percentiles(practiceClient),
      practiceEvents: practiceBus.length,
      practiceUpdates: practiceClient.length,
      subscriptionEnds: live.ends,
      lightIdle: idleFigures,
      lightDuringRun: loadedFigures,
      lightP50Ratio: ratio(loadedFigures.p50, idleFigures.p50),
      lightP99Ratio: ratio(loadedFigures.p99, idleFigures.p99),
      lightErrors: idle.errors + loaded.errors,
      slowestLightQueries: slowest,
      hubLoopStalls: stalls,
      billingEventsOnBusMs: options.drain ? round(published.lastAt - runStartedAt) : null,
      billingEventsPublished: options.drain ? published.count - before.count : null,
      billingPlannedByNotifierMs: bulkPlanned ? round(plannedAt - runStartedAt) : null,
    };
  } finally {
    await hub.stop(30_000);
  }
}

/** The input of the billing run's mutation: `positions` TARI positions, round robin over `people`. */
function billingRun(people: ReadonlyArray<{ fiscalCode: string }>, positions: number) {
  return {
    idempotencyKey: `bench-lanes-${Date.now()}`,
    kind: 'TARI',
    year: 2026,
    description: 'TARI 2026',
    dueDates: ['2026-12-16'],
    items: Array.from({ length: positions }, (_, i) => ({
      payerFiscalCode: people[i % people.length]!.fiscalCode,
      amountCents: 10_000 + (i % 500),
      externalRef: `TARI-BENCH-${randomBytes(3).toString('hex')}-${i}`,
    })),
  };
}

/** An SMTP server on loopback noting when each mail arrived and whether it tells of the alert. */
async function startMailWire() {
  const arrivals: Array<{ at: number; alert: boolean }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => {
        if (text.length < 65_536) text += chunk.toString('latin1');
      });
      stream.on('end', () => {
        // Epoch ms, as the subscribers' arrivals.
        arrivals.push({ at: performance.timeOrigin + performance.now(), alert: /bollettazione/i.test(text) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The hub part in distributed mode (`hub/dist/distributed.js`: PostgreSQL, NATS, one process per
 * service), watched from outside: the same run, the alert from its `at` (when civil protection
 * issued it) to an `alertChanged` subscriber and to its first mail at an SMTP server of the
 * benchmark's, practice changes from their `at` to the staff subscriber, the light query idle and
 * during the run.
 */
async function distributedRun(
  options: Required<Omit<LanesBenchOptions, 'log' | 'relayEvents' | 'part' | 'profileDir' | 'mode'>>,
  log: (line: string) => void,
) {
  const wire = await startMailWire();
  const internalSecret = randomBytes(32).toString('base64url');
  log(`lanes (distributed): starting the hub (${options.households} households)...`);
  const hub = await startHub('distributed', {
    households: options.households,
    timeoutMs: 600_000,
    env: {
      LOG_LEVEL: 'warn',
      INTERNAL_SECRET: internalSecret,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(wire.port),
      GATEWAY_IP_RATE_LIMIT: '1000000',
      GATEWAY_CLIENT_RATE_LIMIT: '1000000',
    },
  });
  try {
    const serviceUrl = (name: string) => {
      const address = new RegExp(`\\b${name} (127\\.0\\.0\\.1:\\d+)`).exec(hub.process.output())?.[1];
      if (address === undefined) throw new Error(`the hub did not say where ${name} listens`);
      return `http://${address}`;
    };
    const internal = createInternalAssertions({ secret: internalSecret, caller: 'gateway' });
    const { people } = generatePopulation({ households: options.households, istat: hub.comune });
    const tributiStaff = (await devToken(hub.identity, { kind: 'staff', office: 'tributi' })).access_token;
    const civilProtection = (await devToken(hub.identity, { kind: 'staff', office: 'civil-protection' }))
      .access_token;
    const citizens = await Promise.all(
      Array.from(
        { length: 16 },
        async () => (await devToken(hub.identity, { kind: 'citizen' })).access_token,
      ),
    );
    // The start-up work (the seed's reminders mailed) done: no new mail for 3 s.
    log('lanes (distributed): waiting for the hub to settle...');
    for (let quiet = 0, last = -1; quiet < 3;) {
      quiet = wire.arrivals.length === last ? quiet + 1 : 0;
      last = wire.arrivals.length;
      await sleep(1_000);
    }
    const subscribers = await openLiveSubscribers({
      api: hub.api,
      comune: hub.comune,
      staffToken: (await devToken(hub.identity, { kind: 'staff', office: 'practices' })).access_token,
      office: 'practices',
      staff: 1,
      anonymous: 1,
      perAddress: 1,
    });
    log(`lanes (distributed): light query, ${options.clients} clients, ${options.phaseMs} ms, idle hub...`);
    const warmEnd = performance.now() + 2_000;
    await lightLoad(hub.api, citizens, options.clients, () => performance.now() > warmEnd);
    const idleEnd = performance.now() + options.phaseMs;
    const idle = await lightLoad(hub.api, citizens, options.clients, () => performance.now() > idleEnd);

    log(`lanes (distributed): billing run of ${options.positions} positions...`);
    const job = await graphql<{ startPaymentBulkJob: { id: string } }>(
      `${serviceUrl('tributi')}/graphql`,
      'mutation Bulk($input: NewPaymentBulkJobInput!) { startPaymentBulkJob(input: $input) { id } }',
      {
        token: tributiStaff,
        headers: internal.headers(),
        variables: { input: billingRun(people, options.positions) },
      },
    );
    if (job.errors) throw new Error(`bulk job refused: ${JSON.stringify(job.errors)}`);
    const duringEnd = performance.now() + options.phaseMs;
    const during = lightLoad(hub.api, citizens, options.clients, () => performance.now() > duringEnd);
    await sleep(1_500);
    const now = Date.now();
    const alert = await graphql<{ issueAlert: { id: string } }>(
      hub.api,
      'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }',
      {
        token: civilProtection,
        variables: {
          input: {
            hazard: 'HYDRAULIC',
            colour: 'RED',
            zoneCodes: generatePopulation({ households: 1, istat: hub.comune }).comune.zones.map(
              (zone) => zone.code,
            ),
            validFrom: new Date(now).toISOString(),
            validUntil: new Date(now + 6 * 3_600_000).toISOString(),
            headline: 'Allerta rossa durante la bollettazione',
            instructions: 'Restare in casa.',
          },
        },
      },
    );
    if (alert.errors) throw new Error(`alert refused: ${JSON.stringify(alert.errors)}`);
    const practices = serviceUrl('practices');
    let submitted = 0;
    for (let i = 0; i < options.practices; i++) {
      const citizen = citizens[i % citizens.length]!;
      const draft = await graphql<{ createPracticeDraft: { id: string } }>(
        `${practices}/graphql`,
        'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
        { token: citizen, variables: { input: BULKY_WASTE }, headers: internal.headers() },
      );
      const id = draft.data?.createPracticeDraft.id;
      if (!id) throw new Error(`draft refused: ${JSON.stringify(draft.errors)}`);
      const done = await graphql(`${practices}/graphql`, `mutation { submitPractice(id: "${id}") { id } }`, {
        token: citizen,
        headers: internal.headers(),
      });
      if (!done.errors) submitted += 1;
      await sleep(200);
    }
    const loaded = await during;
    // The alert's first mail may come after the light-query phase: give it time.
    for (let tries = 0; tries < 240 && !wire.arrivals.some((mail) => mail.alert); tries++) await sleep(500);
    const live = await subscribers.settle({
      // A draft and its submission: two changes each.
      staffUpdates: submitted * 2,
      alertUpdates: 1,
      quietMs: 15_000,
    });
    await subscribers.terminate();
    const practiceClient = live.staff[0]!.map((arrival) => arrival.receivedAt - arrival.at);
    const alertArrival = (live.anonymous[0] ?? []).find((arrival) => arrival.kind === 'ISSUED');
    const issuedAt = alertArrival?.at;
    const firstAlertMail = wire.arrivals.find((mail) => mail.alert)?.at;
    const idleFigures = percentiles(idle.latencies);
    const loadedFigures = percentiles(loaded.latencies);
    const figures = {
      households: options.households,
      positions: options.positions,
      alertToSubscriberMs:
        alertArrival && issuedAt !== undefined ? round(alertArrival.receivedAt - issuedAt) : null,
      alertToFirstMailMs:
        firstAlertMail !== undefined && issuedAt !== undefined ? round(firstAlertMail - issuedAt) : null,
      practiceChangeToClient: percentiles(practiceClient),
      practiceUpdates: practiceClient.length,
      subscriptionEnds: live.ends,
      lightIdle: idleFigures,
      lightDuringRun: loadedFigures,
      lightP50Ratio: ratio(loadedFigures.p50, idleFigures.p50),
      lightP99Ratio: ratio(loadedFigures.p99, idleFigures.p99),
      lightErrors: idle.errors + loaded.errors,
      mails: wire.arrivals.length,
    };
    log(`  ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await hub.stop();
    await wire.close();
  }
}

/** Bulk events the notifier's consumer has handled so far, from its /metrics. */
async function bulkHandled(notifierUrl: string): Promise<number> {
  const text = await (await fetch(`${notifierUrl}/metrics`)).text();
  return [...text.matchAll(/^sportello_consumer_events_total\{[^}]*lane="bulk"[^}]*\} (\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

/** Waits until the notifier's bulk lane has handled `count` more events than `start`. */
async function waitForBulkPlanned(notifierUrl: string, start: number, count: number, seconds: number) {
  for (let i = 0; i < seconds; i++) {
    if ((await bulkHandled(notifierUrl)) - start >= count) return true;
    await sleep(1_000);
  }
  return false;
}

/** The relay alone on PostgreSQL and NATS: a backlog of `events`, then an alert behind it. */
async function relayRun(events: number, publishWindow: number) {
  const suffix = randomBytes(4).toString('hex');
  const stream = `LANESBENCH_${suffix}`;
  const root = `lanesbench${suffix}`;
  const logger = createLogger({ name: 'lanes-bench', level: 'silent' });
  const database: Database = await createDatabase({
    service: 'lanes-bench',
    driver: 'postgresql',
    postgresUrl: 'postgres://postgres@127.0.0.1:5432',
    postgresDatabase: `sportello_bench_relay_${suffix}`,
    entities: [],
    migrations: OUTBOX_MIGRATIONS,
    logger,
  });
  const bus = await createNatsBus({ servers: '127.0.0.1:4222', stream, subjectRoot: root, logger });
  try {
    await database.migrate();
    const comune = '999001';
    for (let start = 0; start < events; start += 1_000) {
      const em = database.fork({ comune });
      for (let i = start; i < Math.min(events, start + 1_000); i++) {
        recordEvent(em, tariNoticeCreated(i, { comune, actor: { kind: 'system', id: 'bench' } }));
      }
      await em.flush();
    }
    const alert = createEvent('alert.issued', {
      comune,
      subject: 'bench-alert',
      actor: { kind: 'staff', id: 'pc.bench' },
      data: {
        alertId: 'bench-alert',
        hazard: 'hydraulic',
        colour: 'red',
        zones: ['Z1'],
        validFrom: '2026-11-23T12:00:00+01:00',
        validTo: '2026-11-24T12:00:00+01:00',
        critical: true,
      },
    });
    let alertOnBusAt = 0;
    await bus.listen(`${root}.>`, (event) => {
      if (event.id === alert.id) alertOnBusAt = performance.now();
    });
    const relay = createOutboxRelay({ database, bus, logger, publishWindow, pollIntervalMs: 50 });
    const started = performance.now();
    relay.start();
    // The alert is committed while the backlog drains.
    await sleep(200);
    const em = database.fork({ comune });
    recordEvent(em, alert);
    await em.flush();
    const committedAt = performance.now();
    for (;;) {
      const pending = await database
        .forkUnscoped()
        .getConnection()
        .execute<Array<{ n: string }>>('select count(*) as n from outbox_message where published_at is null');
      if (Number(pending[0]!.n) === 0) break;
      await sleep(100);
    }
    const drainedMs = performance.now() - started;
    await relay.stop();
    return {
      publishWindow,
      events: events + 1,
      drainMs: round(drainedMs),
      eventsPerSecond: round(((events + 1) / drainedMs) * 1000),
      alertCommitToBusMs: alertOnBusAt > 0 ? round(alertOnBusAt - committedAt) : null,
    };
  } finally {
    await bus.close();
    const nc = await connect({ servers: '127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
    database.orm.config.set('dbName', 'postgres');
    await database.orm.driver.reconnect();
    await database.orm.em
      .getConnection()
      .execute(`drop database if exists "sportello_bench_relay_${suffix}" with (force)`);
    await database.close();
  }
}

/** Runs the lanes figures. */
export async function runLanesBenchmark(options: LanesBenchOptions = {}): Promise<SectionResult> {
  const log = options.log ?? console.log;
  const settings = {
    households: options.households ?? 1200,
    positions: options.positions ?? 10_000,
    clients: options.clients ?? 4,
    phaseMs: options.phaseMs ?? 8_000,
    practices: options.practices ?? 20,
    drain: options.drain ?? true,
  };
  const relayEvents = options.relayEvents ?? 20_000;
  const part = options.part ?? 'all';

  const relay: Array<Awaited<ReturnType<typeof relayRun>>> = [];
  if (part !== 'hub') {
    log(`lanes: relay, ${relayEvents} events waiting, then an alert (PostgreSQL + NATS)...`);
    relay.push(await relayRun(relayEvents, 64), await relayRun(relayEvents, 1));
    for (const run of relay)
      log(
        `  window ${run.publishWindow}: ${run.drainMs} ms, alert on the bus after ${run.alertCommitToBusMs} ms`,
      );
  }
  const mode = options.mode ?? 'embedded';
  const embedded =
    part === 'relay' || mode !== 'embedded'
      ? undefined
      : await embeddedRun(settings, log, options.profileDir);
  const distributed =
    part === 'relay' || mode !== 'distributed' ? undefined : await distributedRun(settings, log);

  const fmt = (p: Percentiles) => [String(p.p50), String(p.p99)];
  const tables: SectionResult['tables'] = [];
  const notes: string[] = [];
  if (relay.length > 0) {
    tables.push({
      header: ['relay (PostgreSQL + NATS)', 'events', 'drain ms', 'events/s', 'alert commit to bus ms'],
      rows: relay.map((run) => [
        run.publishWindow === 1 ? 'one publish at a time' : `window ${run.publishWindow}, lanes`,
        String(run.events),
        String(run.drainMs),
        String(run.eventsPerSecond),
        String(run.alertCommitToBusMs),
      ]),
    });
    notes.push(
      'relay: the backlog is one billing run of payment.position-created events; the alert is committed 200 ms after the relay starts',
    );
  }
  if (embedded) {
    tables.push(
      {
        header: ['embedded hub, billing run of ' + embedded.positions, 'p50 ms', 'p99 ms'],
        rows: [
          ['light query, idle hub', ...fmt(embedded.lightIdle)],
          ['light query, during the run', ...fmt(embedded.lightDuringRun)],
          ['practice events, commit to bus', ...fmt(embedded.practiceCommitToBus)],
          ['practice events, commit to a staff subscriber', ...fmt(embedded.practiceCommitToClient)],
        ],
      },
      {
        header: ['embedded hub, billing run', 'value'],
        rows: [
          ['red alert: commit to bus (ms)', String(embedded.alert.bus)],
          ['red alert: commit to an alertChanged subscriber (ms)', String(embedded.alert.client)],
          ['red alert: commit to the notifier planning it (ms)', String(embedded.alert.planning)],
          ['red alert: commit to its first residents read (ms)', String(embedded.alert.audience)],
          ['red alert: commit to their contacts read (ms)', String(embedded.alert.contacts)],
          ['red alert: commit to its first deliveries recorded (ms)', String(embedded.alert.planned)],
          ['red alert: commit to its first claim (ms)', String(embedded.alert.claimed)],
          ['red alert: commit to its first send starting (ms)', String(embedded.alert.sending)],
          ['red alert: commit to first delivery accepted (ms)', String(embedded.alert.firstDelivery)],
          ['red alert: commit to first mail at the SMTP server (ms)', String(embedded.alert.firstMailAtWire)],
          ['light query p99 during / idle', String(embedded.lightP99Ratio)],
          ['billing run: positions created and on the bus after (ms)', String(embedded.billingEventsOnBusMs)],
          ['billing events planned by the notifier after (ms)', String(embedded.billingPlannedByNotifierMs)],
        ],
      },
    );
    notes.push(
      `embedded: ${embedded.households} households, ${options.clients ?? 4} light-query clients, ${embedded.practiceEvents} practice events measured (${embedded.practiceUpdates} reached the subscriber); the mail server runs in a worker thread of the hub's process`,
    );
  }
  if (distributed) {
    tables.push({
      header: ['distributed hub, billing run of ' + distributed.positions, 'p50 ms', 'p99 ms'],
      rows: [
        ['light query, idle hub', ...fmt(distributed.lightIdle)],
        ['light query, during the run', ...fmt(distributed.lightDuringRun)],
        ['practice changes, made to a staff subscriber', ...fmt(distributed.practiceChangeToClient)],
        ['red alert: issued to an alertChanged subscriber', String(distributed.alertToSubscriberMs), ''],
        [
          'red alert: issued to its first mail at the SMTP server',
          String(distributed.alertToFirstMailMs),
          '',
        ],
        ['light query p99 during / idle', String(distributed.lightP99Ratio), ''],
      ],
    });
    notes.push(
      `distributed: ${distributed.households} households, PostgreSQL, NATS, one process per service; times from each change's own time (its \`at\`), ${distributed.practiceUpdates} practice updates`,
    );
  }
  return {
    section: 'lanes',
    title: 'bulk work and what is urgent',
    tables,
    notes,
    data: { relay, embedded, distributed, settings: { ...settings, relayEvents, part, mode } },
  };
}

// Run on its own, from the build: `node test/dist/bench/lanes.js [--households=1200]
// [--positions=10000] [--relay-events=20000] [--part=hub|relay|all] [--mode=embedded|distributed]
// [--drain=no] [--profile=dir]`. `--mode` is the hub part's (embedded by default).
// `--drain=no` stops once the alert and the practices are measured, without waiting for the whole
// billing run; `--profile` has the hub's process write a CPU profile into that folder.
// Results go to `bench-results/lanes.json`.
if (runsOnItsOwn(import.meta.url)) {
  const households = numberArg('households');
  const positions = numberArg('positions');
  const relayEvents = numberArg('relay-events');
  const part = stringArg('part');
  const mode = stringArg('mode');
  if (mode !== undefined && mode !== 'embedded' && mode !== 'distributed') {
    throw new Error(`--mode=${mode}: choose embedded or distributed`);
  }
  if (part !== undefined && part !== 'hub' && part !== 'relay' && part !== 'all') {
    throw new Error(`--part=${part}: choose hub, relay or all`);
  }
  runThenExit(async () => {
    const result = await runLanesBenchmark({
      ...(households ? { households } : {}),
      ...(positions ? { positions } : {}),
      ...(relayEvents ? { relayEvents } : {}),
      ...(part ? { part } : {}),
      ...(mode ? { mode } : {}),
      drain: stringArg('drain') !== 'no',
      ...(stringArg('profile') ? { profileDir: stringArg('profile')! } : {}),
    });
    console.log(formatSection(result));
    console.log(`written to ${await writeSectionJson(result)}`);
  });
}
