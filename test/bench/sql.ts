/**
 * SQL statements behind one overview query, per subgraph, for a citizen with one payment position
 * and for one with many positions and practices: if a subgraph loaded its entities one by one (N+1), its count would grow
 * with the positions (or the practices). The services run in a child process with a statement counter (see
 * `sql-counter.ts`); the overview goes through the embedded hub's gateway with a `traceparent`
 * whose trace id the counter watches, so only the statements of that one query are counted.
 */
import { randomBytes } from 'node:crypto';
import { cell, type SectionResult } from './report.js';
import type { TraceStatements } from './sql-counter.js';
import { devToken, graphql, householdHeads, OVERVIEW_QUERY, staffToken, startServices } from './system.js';

/** Knobs of the SQL benchmark. */
export interface SqlBenchOptions {
  /** Households of the demo comune. @default 300 */
  households?: number;
  /** Positions added to the second citizen. @default 40 */
  extraPositions?: number;
  /** Practice drafts the second citizen opens. @default 10 */
  extraPractices?: number;
  log?: (line: string) => void;
}

/** Statements per subgraph for one citizen's overview. */
export interface OverviewStatements {
  citizen: 'one position' | 'many positions';
  positions: number;
  instalments: number;
  practices: number;
  notifications: number;
  /** Statements per service; `total` of all kinds. */
  statements: Record<
    string,
    { total: number; byKind: Record<string, number>; byShape: Record<string, number> }
  >;
}

interface OverviewData {
  me: {
    paymentPositions: { totalCount: number; nodes: Array<{ instalments: unknown[] }> };
    practices: unknown[];
    notifications: unknown[];
  };
}

/** Runs the overview for `token` with a fresh trace id and returns what each service ran. */
async function countedOverview(
  ask: <Reply>(request: Record<string, unknown>) => Promise<Reply>,
  gatewayUrl: string,
  token: string,
): Promise<{ data: OverviewData; statements: TraceStatements }> {
  const traceId = randomBytes(16).toString('hex');
  await ask({ op: 'watch', traceId });
  const answer = await graphql<OverviewData>(gatewayUrl, OVERVIEW_QUERY, {
    token,
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  // The subgraphs have answered; give statements finishing after the answer (none expected) a tick.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const statements = await ask<TraceStatements>({ op: 'take', traceId });
  if (answer.errors || !answer.data) throw new Error(`overview failed: ${JSON.stringify(answer.errors)}`);
  return { data: answer.data, statements };
}

/** Runs the SQL statement count. @throws {Error} when the hub does not start or a query fails. */
export async function runSqlBenchmark(options: SqlBenchOptions = {}): Promise<SectionResult> {
  const { log = console.log, households = 300, extraPositions = 40, extraPractices = 10 } = options;
  log(`sql: starting the services (${households} households)...`);
  const services = await startServices(households);
  try {
    const { gatewayUrl } = services.ready;
    const identity = services.ready.publicUrl;
    const ask = <Reply>(request: Record<string, unknown>) => services.ask<Reply>(request);

    // Two heads of household with exactly one position each.
    const single: Array<{ fiscalCode: string; token: string }> = [];
    for (const fiscalCode of householdHeads(services.ready, 200)) {
      const token = await devToken(identity, fiscalCode);
      const answer = await graphql<{ me: { paymentPositions: { totalCount: number } } }>(
        gatewayUrl,
        '{ me { paymentPositions(first: 1) { totalCount } } }',
        { token },
      );
      if (answer.data?.me.paymentPositions.totalCount === 1) single.push({ fiscalCode, token });
      if (single.length === 2) break;
    }
    if (single.length < 2) throw new Error('no two heads of household with one payment position each');
    const [one, many] = single as [(typeof single)[0], (typeof single)[0]];

    // The second one gets many more, each with two instalments, as the tributi office creates them.
    const staff = await staffToken(identity, 'tributi');
    const year = new Date().getFullYear();
    for (let i = 0; i < extraPositions; i += 1) {
      const created = await graphql(
        gatewayUrl,
        'mutation Create($input: NewPaymentPositionInput!) { createPaymentPosition(input: $input) { id } }',
        {
          token: staff,
          variables: {
            input: {
              kind: 'OTHER',
              year,
              description: `Canone ${i + 1}`,
              payerFiscalCode: many.fiscalCode,
              amountCents: 10_000 + i,
              dueDates: [`${year + 1}-03-31`, `${year + 1}-09-30`],
              externalRef: `BENCH-${i + 1}`,
            },
          },
        },
      );
      if (created.errors) throw new Error(`createPaymentPosition failed: ${JSON.stringify(created.errors)}`);
    }

    // ... and opens practices of several types, as a citizen does from the portal.
    const types = await graphql<{ practiceTypes: { nodes: Array<{ code: string }> } }>(
      gatewayUrl,
      '{ practiceTypes(first: 20) { nodes { code } } }',
      { token: many.token },
    );
    const typeCodes = types.data?.practiceTypes.nodes.map((type) => type.code) ?? [];
    if (typeCodes.length === 0) throw new Error(`no practice types: ${JSON.stringify(types.errors)}`);
    for (let i = 0; i < extraPractices; i += 1) {
      const draft = await graphql(
        gatewayUrl,
        'mutation Draft($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id } }',
        { token: many.token, variables: { input: { typeCode: typeCodes[i % typeCodes.length] } } },
      );
      if (draft.errors) throw new Error(`createPracticeDraft failed: ${JSON.stringify(draft.errors)}`);
    }

    const overviews: OverviewStatements[] = [];
    for (const [label, citizen] of [
      ['one position', one],
      ['many positions', many],
    ] as const) {
      // Once to warm caches up (JWKS, prepared metadata), then counted.
      await countedOverview(ask, gatewayUrl, citizen.token);
      const { data, statements } = await countedOverview(ask, gatewayUrl, citizen.token);
      const me = data.me;
      overviews.push({
        citizen: label,
        positions: me.paymentPositions.totalCount,
        instalments: me.paymentPositions.nodes.reduce((sum, node) => sum + node.instalments.length, 0),
        practices: me.practices.length,
        notifications: me.notifications.length,
        statements: Object.fromEntries(
          Object.entries(statements).map(([service, counts]) => [
            service,
            { total: Object.values(counts.byKind).reduce((sum, n) => sum + n, 0), ...counts },
          ]),
        ),
      });
    }

    const serviceNames = [...new Set(overviews.flatMap((o) => Object.keys(o.statements)))].sort();
    const [small, large] = overviews as [OverviewStatements, OverviewStatements];
    const manyLabel = `${large.positions} positions, ${large.practices} practices`;
    const grows = serviceNames.filter(
      (service) => (large.statements[service]?.total ?? 0) > (small.statements[service]?.total ?? 0),
    );
    return {
      section: 'sql',
      title: 'SQL statements per subgraph behind one overview query',
      tables: [
        {
          header: [
            'service',
            `${small.positions} position, ${small.practices} practices`,
            manyLabel,
            'grows',
          ],
          rows: [
            ...serviceNames.map((service) => [
              service,
              cell(small.statements[service]?.total ?? 0),
              cell(large.statements[service]?.total ?? 0),
              grows.includes(service) ? 'YES' : 'no',
            ]),
            [
              'total',
              cell(serviceNames.reduce((sum, s) => sum + (small.statements[s]?.total ?? 0), 0)),
              cell(serviceNames.reduce((sum, s) => sum + (large.statements[s]?.total ?? 0), 0)),
              '',
            ],
          ],
        },
      ],
      notes: [
        `citizens: ${small.positions} position (${small.instalments} instalments) vs ${large.positions} positions (${large.instalments} instalments); practices ${small.practices} / ${large.practices}, notifications ${small.notifications} / ${large.notifications}`,
        'statements include transaction control (begin/commit) where a service opens one; kinds per service are in the JSON',
        ...grows.flatMap((service) =>
          Object.entries(large.statements[service]?.byShape ?? {})
            .filter(([, count]) => count > 1)
            .map(([shape, count]) => `${service} runs ${count} times: ${shape}`),
        ),
        grows.length === 0
          ? 'no subgraph runs more statements for more items: no N+1 behind the overview'
          : `statements grow with the number of items (N+1) in: ${grows.join(', ')}`,
      ],
      data: { households, extraPositions, extraPractices, overviews },
    };
  } finally {
    await services.stop();
  }
}
