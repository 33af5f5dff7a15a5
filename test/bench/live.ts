/**
 * Live layer under a burst, in both modes: staff dashboards and residents' apps stay subscribed
 * while citizens submit practices as fast as the comune's busiest morning, and civil protection
 * issues alerts meanwhile.
 *
 * What runs. The hub as a user starts it (`hub/dist/<mode>.js`, a process of its own; distributed:
 * a process per service on PostgreSQL and NATS). A worker thread holds the subscribers: `staff`
 * clerks of the practices office, each on a graphql-ws connection of their own, subscribed to
 * `practiceChanged(office: "practices")`, and `anonymous` residents subscribed to `alertChanged`
 * (spread over loopback addresses, as devices are). The main thread is the load: citizens submit
 * bulky-waste collection requests through the gateway (a draft, then `submitPractice`: two changes,
 * submitted and registered, each a `practice.status-changed` event), paced to `rate` changes a second
 * for `seconds`, at most `inFlight` submissions at once; civil protection issues an alert every
 * `alertEveryMs`.
 *
 * What is reported, per mode: the changes made and the rate reached; per staff subscriber, the
 * updates expected (two per submitted practice) against those delivered (missing, duplicated, out
 * of order, connections ended); change-to-client latency (from the update's `at`, the time written
 * in the transaction that commits the change, to its arrival at the client); the same for the alerts
 * at the anonymous subscribers.
 *
 * Run on its own, from the build: `node test/dist/bench/live.js [--mode=embedded|distributed]
 * [--rate=500] [--seconds=30] [--staff=100] [--anonymous=1000]`. Distributed needs PostgreSQL and
 * NATS on their usual local ports.
 */
import { devToken, graphql } from '../support/graphql-client.js';
import { startHub, type RunningHub } from '../support/running-hub.js';
import { numberArg, runsOnItsOwn, runThenExit, stringArg } from './command-line.js';
import { percentiles, round, type Percentiles } from './figures.js';
import { cell, type SectionResult } from './report.js';
import {
  BULKY_WASTE,
  openLiveSubscribers,
  type LiveSubscribers,
  type LiveSubscribersDone,
} from './live-clients.js';
import type { Arrival } from './live-subscribers.js';

/** Knobs of the live benchmark; every one has a default. */
export interface LiveOptions {
  modes?: Array<'embedded' | 'distributed'>;
  /** Practice changes a second (two per submission). @default 500 */
  rate?: number;
  /** @default 30 */
  seconds?: number;
  /** Staff subscribers. @default 100 */
  staff?: number;
  /** Anonymous subscribers. @default 1000 */
  anonymous?: number;
  /** Submissions in flight at most. @default 128 */
  inFlight?: number;
  /** @default 5000 */
  alertEveryMs?: number;
  /** Households of the demo comune. @default 150 */
  households?: number;
  log?: (line: string) => void;
}

/** What one mode measured. */
export interface LiveFigures {
  mode: string;
  /** Changes made (two per practice submitted) and the rate reached. */
  changes: number;
  changesPerSecond: number;
  submissionErrors: number;
  submissionErrorSamples: string[];
  /** Staff: updates expected per subscriber, and over all of them those missing or repeated. */
  staffSubscribers: number;
  expectedPerSubscriber: number;
  delivered: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  /** Connections or subscriptions that ended on their own (slow consumer, errors...). */
  ended: number;
  endedSamples: string[];
  updatesWithErrors: number;
  changeToClient: Percentiles;
  /** Alerts issued, and their arrival at the anonymous subscribers. */
  anonymousSubscribers: number;
  alerts: number;
  alertsMissing: number;
  alertToClient: Percentiles;
  /** The practices service's outbox during the run (events committed, not yet on the bus). */
  practicesOutbox: OutboxFigures;
}

/** The most an outbox held during the run, from the service's `/metrics`, read every 500 ms. */
export interface OutboxFigures {
  mostPending: number;
  oldestPendingS: number;
}

const TARGET_P99_MS = 250;
const PER_ADDRESS = 500;
const DRAFT = `mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitPractice(id: $id) { id } }`;
const ISSUE_ALERT = 'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }';

/** Runs the benchmark in each mode and reports both. */
export async function runLiveBenchmark(options: LiveOptions = {}): Promise<SectionResult> {
  const modes = options.modes ?? ['embedded', 'distributed'];
  const log = options.log ?? console.log;
  const results: LiveFigures[] = [];
  for (const mode of modes) results.push(await measureMode(mode, { ...options, log }));
  const rate = options.rate ?? 500;
  return {
    section: 'live',
    title: `practices changing at ${rate}/s for ${options.seconds ?? 30} s under ${options.staff ?? 100} staff and ${options.anonymous ?? 1000} anonymous subscribers`,
    tables: [
      {
        header: ['figure', ...results.map((result) => result.mode)],
        rows: [
          ['changes (rate reached /s)', ...results.map((r) => `${r.changes} (${r.changesPerSecond})`)],
          ['submission errors', ...results.map((r) => cell(r.submissionErrors))],
          [
            'staff updates expected',
            ...results.map((r) => cell(r.expectedPerSubscriber * r.staffSubscribers)),
          ],
          ['delivered', ...results.map((r) => cell(r.delivered))],
          ['missing', ...results.map((r) => cell(r.missing))],
          ['duplicated / out of order', ...results.map((r) => `${r.duplicated} / ${r.outOfOrder}`)],
          ['subscriptions ended', ...results.map((r) => cell(r.ended))],
          ['change→client p50 / p99 / max (ms)', ...results.map((r) => spread(r.changeToClient))],
          ['alerts (missing at anonymous)', ...results.map((r) => `${r.alerts} (${r.alertsMissing})`)],
          ['alert→client p50 / p99 / max (ms)', ...results.map((r) => spread(r.alertToClient))],
          [
            'practices outbox: most pending / oldest (s)',
            ...results.map((r) => `${r.practicesOutbox.mostPending} / ${r.practicesOutbox.oldestPendingS}`),
          ],
        ],
      },
    ],
    notes: [
      `target: 0 lost, change→client p99 < ${TARGET_P99_MS} ms`,
      'change→client: from the update’s `at` (written in the transaction of the change) to its arrival at the client',
      'the load, the subscribers and the hub share the machine: the rate reached is what the hub took from the load',
      ...results.flatMap((r) =>
        r.endedSamples.slice(0, 2).map((sample) => `${r.mode}: ended, e.g. ${sample}`),
      ),
      ...results.flatMap((r) =>
        r.submissionErrorSamples.slice(0, 2).map((sample) => `${r.mode}: submission error, e.g. ${sample}`),
      ),
    ],
    data: results,
  };
}

const spread = (p: Percentiles) => `${p.p50} / ${p.p99} / ${p.max}`;

async function measureMode(
  mode: 'embedded' | 'distributed',
  options: LiveOptions & { log: (line: string) => void },
): Promise<LiveFigures> {
  const {
    log,
    rate = 500,
    seconds = 30,
    staff = 100,
    anonymous = 1000,
    inFlight = 128,
    alertEveryMs = 5_000,
    households = 150,
  } = options;
  log(`live (${mode}): starting the hub (${households} households)...`);
  const hub = await startHub(mode, {
    households,
    env: {
      LOG_LEVEL: 'warn',
      // The load is many citizens and devices; here they share a few addresses and one app.
      GATEWAY_CLIENT_RATE_LIMIT: '1000000',
      GATEWAY_IP_RATE_LIMIT: '1000000',
    },
  });
  let subscribers: LiveSubscribers | undefined;
  try {
    log(`live (${mode}): opening ${staff} staff and ${anonymous} anonymous subscriptions...`);
    subscribers = await openLiveSubscribers({
      api: hub.api,
      comune: hub.comune,
      staffToken: (await devToken(hub.identity, { kind: 'staff', office: 'practices' })).access_token,
      office: 'practices',
      staff,
      anonymous,
      perAddress: PER_ADDRESS,
    });
    await subscriptionsOpen(hub, staff + anonymous);

    const civilProtection = (await devToken(hub.identity, { kind: 'staff', office: 'civil-protection' }))
      .access_token;
    const citizens = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await devToken(hub.identity, { kind: 'citizen' })).access_token,
      ),
    );

    const outbox = watchOutbox(hub, 'practices');
    log(`live (${mode}): ${rate} changes/s for ${seconds} s, an alert every ${alertEveryMs / 1000} s...`);
    const submitted: string[] = [];
    const errors: string[] = [];
    const alerts: string[] = [];
    let submissionsInFlight = 0;
    const started = performance.now();
    const interval = 2_000 / rate;
    const issuing: Array<Promise<void>> = [];
    let nextAlertAt = 0;
    const work: Array<Promise<void>> = [];
    for (let i = 0; ; i += 1) {
      const due = i * interval;
      const elapsed = performance.now() - started;
      if (due >= seconds * 1000) break;
      if (due > elapsed) await new Promise((done) => setTimeout(done, due - elapsed));
      if (performance.now() - started >= nextAlertAt) {
        nextAlertAt += alertEveryMs;
        issuing.push(issueAlert(hub, civilProtection).then((id) => void alerts.push(id)));
      }
      // Behind schedule with every slot taken: this submission is not made (the rate says so).
      if (submissionsInFlight >= inFlight) continue;
      submissionsInFlight += 1;
      work.push(
        submit(hub, citizens[i % citizens.length]!)
          .then(
            (id) => void submitted.push(id),
            (error: unknown) => void errors.push(error instanceof Error ? error.message : String(error)),
          )
          .finally(() => (submissionsInFlight -= 1)),
      );
    }
    await Promise.all(work);
    await Promise.all(issuing);
    const elapsedS = (performance.now() - started) / 1000;
    log(
      `live (${mode}): ${submitted.length} practices submitted in ${round(elapsedS)} s; waiting for the updates...`,
    );

    const done = await subscribers.settle({
      staffUpdates: submitted.length * 2,
      alertUpdates: alerts.length,
      quietMs: 15_000,
    });
    return {
      ...figuresOf(mode, { submitted, errors, alerts, elapsedS, done }),
      practicesOutbox: await outbox.stop(),
    };
  } finally {
    await subscribers?.terminate();
    await hub.stop();
  }
}

/** Reads a service's outbox gauges (summed over lanes) every 500 ms until stopped. */
function watchOutbox(hub: RunningHub, service: string): { stop(): Promise<OutboxFigures> } {
  const address = new RegExp(`${service} (127\\.0\\.0\\.1:\\d+)`).exec(hub.process.output())?.[1];
  const figures: OutboxFigures = { mostPending: 0, oldestPendingS: 0 };
  let stopped = false;
  const loop = (async () => {
    while (address && !stopped) {
      const page = await fetch(`http://${address}/metrics`).then(
        (response) => response.text(),
        () => '',
      );
      const sum = (name: string, pick: (a: number, b: number) => number) =>
        page
          .split('\n')
          .filter((line) => line.startsWith(`${name}{`))
          .reduce((total, line) => pick(total, Number(line.split(' ').pop())), 0);
      figures.mostPending = Math.max(
        figures.mostPending,
        sum('sportello_outbox_pending', (a, b) => a + b),
      );
      figures.oldestPendingS = Math.max(
        figures.oldestPendingS,
        round(sum('sportello_outbox_oldest_pending_age_seconds', Math.max), 2),
      );
      await new Promise((done) => setTimeout(done, 500));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return figures;
    },
  };
}

/** Waits until the gateway counts `count` open subscriptions. */
async function subscriptionsOpen(hub: RunningHub, count: number): Promise<void> {
  const metricsUrl = hub.api.replace(/\/graphql$/, '/metrics');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const page = await (await fetch(metricsUrl)).text();
    const open = Number(/^sportello_gateway_open_subscriptions (\d+)/m.exec(page)?.[1] ?? 0);
    if (open >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${open} of ${count} subscriptions open`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function submit(hub: RunningHub, token: string): Promise<string> {
  const draft = await graphql<{ createPracticeDraft: { id: string } }>(hub.api, DRAFT, {
    token,
    variables: { input: BULKY_WASTE },
  });
  const id = draft.data?.createPracticeDraft.id;
  if (!id) throw new Error(`draft refused (${draft.status}): ${JSON.stringify(draft.errors)}`);
  const submitted = await graphql(hub.api, SUBMIT, { token, variables: { id } });
  if (submitted.errors)
    throw new Error(`submission refused (${submitted.status}): ${JSON.stringify(submitted.errors)}`);
  return id;
}

async function issueAlert(hub: RunningHub, token: string): Promise<string> {
  const now = Date.now();
  const issued = await graphql<{ issueAlert: { id: string } }>(hub.api, ISSUE_ALERT, {
    token,
    variables: {
      input: {
        hazard: 'THUNDERSTORMS',
        colour: 'YELLOW',
        wholeComune: true,
        validFrom: new Date(now - 60_000).toISOString(),
        validUntil: new Date(now + 3_600_000).toISOString(),
        instructions: 'Evitare le zone alberate e i sottopassi durante i temporali.',
      },
    },
  });
  if (!issued.data?.issueAlert) throw new Error(`issueAlert failed: ${JSON.stringify(issued.errors)}`);
  return issued.data.issueAlert.id;
}

function figuresOf(
  mode: string,
  run: {
    submitted: string[];
    errors: string[];
    alerts: string[];
    elapsedS: number;
    done: LiveSubscribersDone;
  },
): Omit<LiveFigures, 'practicesOutbox'> {
  const { submitted, errors, alerts, elapsedS, done } = run;
  const expected = new Set(submitted.flatMap((id) => [`${id}:SUBMITTED`, `${id}:REGISTERED`]));
  let delivered = 0;
  let missing = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  const latencies: number[] = [];
  for (const seen of done.staff) {
    const got = new Set<string>();
    for (const arrival of seen as Arrival[]) {
      const key = `${arrival.practiceId}:${arrival.to}`;
      if (!expected.has(key)) continue;
      if (got.has(key)) {
        duplicated += 1;
        continue;
      }
      got.add(key);
      delivered += 1;
      // Per practice, submitted comes before registered.
      if (arrival.to === 'REGISTERED' && !got.has(`${arrival.practiceId}:SUBMITTED`)) outOfOrder += 1;
      latencies.push(arrival.receivedAt - arrival.at);
    }
    missing += expected.size - got.size;
  }
  const alertIds = new Set(alerts);
  const alertLatencies: number[] = [];
  let alertsMissing = 0;
  for (const seen of done.anonymous) {
    const got = new Set<string>();
    for (const update of seen) {
      if (update.kind !== 'ISSUED' || !alertIds.has(update.alertId) || got.has(update.alertId)) continue;
      got.add(update.alertId);
      alertLatencies.push(update.receivedAt - update.at);
    }
    alertsMissing += alertIds.size - got.size;
  }
  return {
    mode,
    changes: submitted.length * 2,
    changesPerSecond: round((submitted.length * 2) / elapsedS),
    submissionErrors: errors.length,
    submissionErrorSamples: [...new Set(errors)].slice(0, 3),
    staffSubscribers: done.staff.length,
    expectedPerSubscriber: expected.size,
    delivered,
    missing,
    duplicated,
    outOfOrder,
    ended: done.ends.length,
    endedSamples: done.ends.slice(0, 3),
    updatesWithErrors: done.updatesWithErrors,
    changeToClient: percentiles(latencies),
    anonymousSubscribers: done.anonymous.length,
    alerts: alerts.length,
    alertsMissing,
    alertToClient: percentiles(alertLatencies),
  };
}

if (runsOnItsOwn(import.meta.url)) {
  const mode = stringArg('mode');
  const rate = numberArg('rate');
  const seconds = numberArg('seconds');
  const staff = numberArg('staff');
  const anonymous = numberArg('anonymous');
  const inFlight = numberArg('inFlight');
  runThenExit(async () => {
    const result = await runLiveBenchmark({
      ...(mode ? { modes: [mode as 'embedded' | 'distributed'] } : {}),
      ...(rate ? { rate } : {}),
      ...(seconds ? { seconds } : {}),
      ...(staff !== undefined ? { staff } : {}),
      ...(anonymous !== undefined ? { anonymous } : {}),
      ...(inFlight ? { inFlight } : {}),
    });
    console.log(JSON.stringify(result.tables, null, 2));
    for (const note of result.notes) console.log(`note: ${note}`);
  });
}
