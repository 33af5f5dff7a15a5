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
import { startChild } from './child-process.js';
import { numberArg, runsOnItsOwn, runThenExit } from './command-line.js';
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
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks `{ me { givenName } }` from `clients` loops until `until()` says stop; latencies in ms. */
async function lightLoad(gatewayUrl: string, tokens: string[], clients: number, until: () => boolean) {
  const latencies: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; !until(); i += clients) {
        const started = performance.now();
        const answer = await graphql(gatewayUrl, '{ me { givenName } }', {
          token: tokens[i % tokens.length]!,
        });
        if (answer.errors || answer.status !== 200) errors += 1;
        else latencies.push(performance.now() - started);
      }
    }),
  );
  return { latencies, errors };
}

/** The embedded hub under a billing run. */
async function embeddedRun(
  options: Required<Omit<LanesBenchOptions, 'log' | 'relayEvents'>>,
  log: (line: string) => void,
) {
  const hub = await startChild<LanesHubReady>(
    new URL('./processes/lanes-hub.js', import.meta.url),
    [JSON.stringify({ households: options.households })],
    { readyTimeoutMs: 600_000 },
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
    const idleFigures = percentiles(idle.latencies);
    const loadedFigures = percentiles(loaded.latencies);
    log(
      `  light query p50/p99 ms: idle ${idleFigures.p50}/${idleFigures.p99}, during the run ` +
        `${loadedFigures.p50}/${loadedFigures.p99}; practice events p50/p99 ms: commit to bus ` +
        `${percentiles(practiceBus).p50}/${percentiles(practiceBus).p99}, commit to subscriber ` +
        `${percentiles(practiceClient).p50}/${percentiles(practiceClient).p99} (${practiceClient.length})`,
    );

    log('lanes: waiting for the billing events to reach the bus and the notifier...');
    let published = before;
    for (let tries = 0; published.count - before.count < options.positions && tries < 600; tries++) {
      await sleep(1_000);
      published = await hub.ask<{ count: number; lastAt: number }>({
        op: 'count',
        type: 'payment.position-created',
      });
    }
    const bulkPlanned = await waitForBulkPlanned(services['notifier']!, bulkBefore, options.positions, 600);
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
      billingEventsOnBusMs: round(published.lastAt - runStartedAt),
      billingEventsPublished: published.count - before.count,
      billingPlannedByNotifierMs: bulkPlanned ? round(plannedAt - runStartedAt) : null,
    };
  } finally {
    await hub.stop(30_000);
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
  };
  const relayEvents = options.relayEvents ?? 20_000;

  log(`lanes: relay, ${relayEvents} events waiting, then an alert (PostgreSQL + NATS)...`);
  const relay = [await relayRun(relayEvents, 64), await relayRun(relayEvents, 1)];
  for (const run of relay)
    log(
      `  window ${run.publishWindow}: ${run.drainMs} ms, alert on the bus after ${run.alertCommitToBusMs} ms`,
    );

  const embedded = await embeddedRun(settings, log);

  const fmt = (p: Percentiles) => [String(p.p50), String(p.p99)];
  return {
    section: 'lanes',
    title: 'bulk work and what is urgent',
    tables: [
      {
        header: ['relay (PostgreSQL + NATS)', 'events', 'drain ms', 'events/s', 'alert commit to bus ms'],
        rows: relay.map((run) => [
          run.publishWindow === 1 ? 'one publish at a time' : `window ${run.publishWindow}, lanes`,
          String(run.events),
          String(run.drainMs),
          String(run.eventsPerSecond),
          String(run.alertCommitToBusMs),
        ]),
      },
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
    ],
    notes: [
      'relay: the backlog is one billing run of payment.position-created events; the alert is committed 200 ms after the relay starts',
      `embedded: ${embedded.households} households, ${options.clients ?? 4} light-query clients, ${embedded.practiceEvents} practice events measured (${embedded.practiceUpdates} reached the subscriber); the mail server runs in a worker thread of the hub's process`,
    ],
    data: { relay, embedded, settings: { ...settings, relayEvents } },
  };
}

// Run on its own, from the build: `node test/dist/bench/lanes.js [--households=1200]
// [--positions=10000] [--relay-events=20000]`. Results go to `bench-results/lanes.json`.
if (runsOnItsOwn(import.meta.url)) {
  const households = numberArg('households');
  const positions = numberArg('positions');
  const relayEvents = numberArg('relay-events');
  runThenExit(async () => {
    const result = await runLanesBenchmark({
      ...(households ? { households } : {}),
      ...(positions ? { positions } : {}),
      ...(relayEvents ? { relayEvents } : {}),
    });
    console.log(formatSection(result));
    console.log(`written to ${await writeSectionJson(result)}`);
  });
}
