/**
 * SQL statements behind one submitted practice, every service together, background work included:
 * the citizen's draft and `submitPractice`, the outbox relaying their events, a staff dashboard's
 * updates (`practiceChanged`, the practice read with the clerk's token, and that read's audit
 * entry), and what the other services do with the events (identity storing the audit entries, the
 * notifier planning messages). The embedded hub runs in a child process with the statement counter
 * (see `sql-counter.ts`); the submissions go through its gateway, `inFlight` at a time, while one
 * staff subscriber follows the office (every staff subscriber with the same token shares its
 * resolutions, so one stands for a hundred).
 *
 * Also reported: the statements of one `createPracticeDraft` and one `submitPractice` request
 * alone, per service (traced, as `sql.ts` counts the overview).
 *
 * Run on its own, from the build: `node test/dist/bench/live-sql.js [--practices=60] [--in-flight=8]`.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { numberArg, runsOnItsOwn, runThenExit } from './command-line.js';
import { BULKY_WASTE } from './live-clients.js';
import type { TraceStatements } from './sql-counter.js';
import { devToken, graphql, householdHeads, staffToken, startServices } from './system.js';

const DRAFT = `mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitPractice(id: $id) { id } }`;
const OFFICE = `subscription Office { practiceChanged(office: "practices") { eventId to practice { id status } } }`;

/** Statements per service: total, by kind, and the most repeated shapes. */
export interface ServiceStatements {
  total: number;
  byKind: Record<string, number>;
  top: Array<[string, number]>;
}

/** What the SQL count of the live path measured. */
export interface LiveSqlFigures {
  practices: number;
  /** Every statement of every service while they were submitted and followed, per practice. */
  perPractice: Record<string, ServiceStatements>;
  perPracticeTotal: number;
  /** Statements of one draft request and of one submission request, per service. */
  draftRequest: Record<string, number>;
  submitRequest: Record<string, number>;
}

const per = (statements: TraceStatements, divisor: number): Record<string, ServiceStatements> =>
  Object.fromEntries(
    Object.entries(statements).map(([service, counts]) => [
      service,
      {
        total: round(Object.values(counts.byKind).reduce((sum, n) => sum + n, 0) / divisor),
        byKind: Object.fromEntries(
          Object.entries(counts.byKind).map(([kind, n]) => [kind, round(n / divisor)]),
        ),
        top: Object.entries(counts.byShape)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([shape, n]) => [shape, round(n / divisor)] as [string, number]),
      },
    ]),
  );
const round = (n: number) => Math.round(n * 100) / 100;
const totals = (statements: TraceStatements) =>
  Object.fromEntries(
    Object.entries(statements).map(([service, counts]) => [
      service,
      Object.values(counts.byKind).reduce((sum, n) => sum + n, 0),
    ]),
  );

/** Counts the statements of the live path. @throws {Error} when the hub does not start or a step fails. */
export async function runLiveSqlBenchmark(
  options: { practices?: number; inFlight?: number; log?: (line: string) => void } = {},
): Promise<LiveSqlFigures> {
  const { practices = 60, inFlight = 8, log = console.log } = options;
  log('live-sql: starting the services (150 households)...');
  const services = await startServices(150);
  const { gatewayUrl, publicUrl } = services.ready;
  const ask = <Reply>(request: Record<string, unknown>) => services.ask<Reply>(request);
  const client = createClient({
    url: gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: {
      authorization: `Bearer ${await staffToken(publicUrl, 'practices')}`,
      comune: services.ready.comune,
    },
    retryAttempts: 0,
    lazy: false,
  });
  try {
    let updates = 0;
    client.subscribe(
      { query: OFFICE },
      {
        next: (value) => {
          if (value.errors) throw new Error(`update with errors: ${JSON.stringify(value.errors)}`);
          updates += 1;
        },
        error: (error) => log(`live-sql: subscription failed: ${JSON.stringify(error)}`),
        complete: () => undefined,
      },
    );
    const citizens = await Promise.all(
      householdHeads(services.ready, 8).map((fiscalCode) => devToken(publicUrl, fiscalCode)),
    );
    const submit = async (i: number, headers: Record<string, string> = {}) => {
      const token = citizens[i % citizens.length]!;
      const draft = await graphql<{ createPracticeDraft: { id: string } }>(gatewayUrl, DRAFT, {
        token,
        variables: { input: BULKY_WASTE },
        headers,
      });
      const id = draft.data?.createPracticeDraft.id;
      if (!id) throw new Error(`draft refused: ${JSON.stringify(draft.errors)}`);
      return id;
    };
    const send = async (id: string, i: number, headers: Record<string, string> = {}) => {
      const submitted = await graphql(gatewayUrl, SUBMIT, {
        token: citizens[i % citizens.length]!,
        variables: { id },
        headers,
      });
      if (submitted.errors) throw new Error(`submission refused: ${JSON.stringify(submitted.errors)}`);
    };
    const settle = async (expected: number) => {
      const deadline = Date.now() + 120_000;
      while (updates < expected) {
        if (Date.now() > deadline) throw new Error(`only ${updates} of ${expected} updates arrived`);
        await new Promise((done) => setTimeout(done, 50));
      }
      // Background work after the last update: audit entries stored, messages planned and sent.
      await new Promise((done) => setTimeout(done, 3_000));
    };
    const traced = async (work: (headers: Record<string, string>) => Promise<void>) => {
      const traceId = randomBytes(16).toString('hex');
      await ask({ op: 'watch', traceId });
      await work({ traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
      await new Promise((done) => setTimeout(done, 50));
      return totals(await ask<TraceStatements>({ op: 'take', traceId }));
    };

    log('live-sql: warming up...');
    for (let i = 0; i < 3; i += 1) await send(await submit(i), i);
    let draftId = '';
    const draftRequest = await traced(async (headers) => void (draftId = await submit(3, headers)));
    const submitRequest = await traced((headers) => send(draftId, 3, headers));
    await settle(8);

    // Start-up work still relaying (the demo comune's seed events) is not the practices': wait for
    // a second with almost no statement.
    for (let quiet = 0, tries = 0; quiet < 1 && tries < 60; tries += 1) {
      await ask({ op: 'tally' });
      await new Promise((done) => setTimeout(done, 1_000));
      const counted = totals(await ask<TraceStatements>({ op: 'take-tally' }));
      if (Object.values(counted).reduce((sum, n) => sum + n, 0) < 10) quiet += 1;
    }
    log(`live-sql: ${practices} practices, ${inFlight} at a time...`);
    const before = updates;
    await ask({ op: 'tally' });
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < practices) {
          const i = next++;
          await send(await submit(i), i);
        }
      }),
    );
    await settle(before + practices * 2);
    const tally = await ask<TraceStatements>({ op: 'take-tally' });
    const perPractice = per(tally, practices);
    return {
      practices,
      perPractice,
      perPracticeTotal: round(Object.values(perPractice).reduce((sum, each) => sum + each.total, 0)),
      draftRequest,
      submitRequest,
    };
  } finally {
    await client.dispose();
    await services.stop();
  }
}

if (runsOnItsOwn(import.meta.url)) {
  const practices = numberArg('practices');
  const inFlight = numberArg('in-flight');
  runThenExit(async () => {
    const figures = await runLiveSqlBenchmark({
      ...(practices !== undefined ? { practices } : {}),
      ...(inFlight !== undefined ? { inFlight } : {}),
    });
    console.log(JSON.stringify(figures, null, 2));
  });
}
