/**
 * Gateway throughput and latency: the same subgraphs (the embedded hub's services, one process),
 * the same supergraph, the same load, against our gateway and Hive Gateway, each in a process of
 * its own, and, for the light query, against the subgraph directly. The load generator is this
 * process. Targets take turns within each round (the order flips every round), so drift on a
 * shared machine spreads over all of them; the table shows medians over the rounds.
 */
import { isDeepStrictEqual } from 'node:util';
import { median, ratio, round } from './figures.js';
import { runLoad, type LoadResult } from './load.js';
import { cell, type SectionResult } from './report.js';
import {
  devToken,
  graphql,
  householdHeads,
  LIGHT_QUERY,
  OVERVIEW_QUERY,
  startHiveGateway,
  startOurGateway,
  startServices,
  type GatewayProcess,
} from './system.js';

/** Knobs of the gateway benchmark. */
export interface GatewayBenchOptions {
  /** Households of the demo comune. @default 300 */
  households?: number;
  /** Virtual users sending at once (keep-alive connections). @default 16 */
  concurrency?: number;
  /** Measured time per target and round. @default 5000 */
  durationMs?: number;
  /** Unmeasured time before each measurement. @default 1000 */
  warmupMs?: number;
  /** Rounds over all targets. @default 3 */
  rounds?: number;
  /** Distinct citizens whose tokens the requests rotate through. @default 20 */
  citizens?: number;
  log?: (line: string) => void;
}

const DEFAULTS = {
  households: 300,
  concurrency: 16,
  durationMs: 5_000,
  warmupMs: 1_000,
  rounds: 3,
  citizens: 20,
};

type QueryName = 'overview' | 'light';

interface Measurement {
  query: QueryName;
  target: string;
  round: number;
  result: LoadResult;
}

/** Median figures of one query on one target. */
export interface GatewaySummary {
  query: QueryName;
  target: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  errors: number;
  /** Requests per second over Hive Gateway's, same query, same run. */
  throughputVsHive: number | null;
  /** p50 latency over Hive Gateway's. */
  p50VsHive: number | null;
}

/** Runs the gateway comparison. @throws {Error} when a process does not start. */
export async function runGatewayBenchmark(options: GatewayBenchOptions = {}): Promise<SectionResult> {
  const { log = console.log, ...knobs } = options;
  const settings = { ...DEFAULTS, ...knobs };
  log(`gateway: starting the services (${settings.households} households)...`);
  const services = await startServices(settings.households);
  const gateways: GatewayProcess[] = [];
  try {
    const identity = services.ready.publicUrl;
    const tokens = await Promise.all(
      householdHeads(services.ready, settings.citizens).map((subject) => devToken(identity, subject)),
    );
    gateways.push(await startOurGateway(services.ready), await startHiveGateway(services.ready));
    const [ours, hive] = gateways as [GatewayProcess, GatewayProcess];

    // Both gateways must give the same answer, or the comparison means nothing.
    const answers = await Promise.all(
      gateways.map((gateway) => graphql(gateway.url, OVERVIEW_QUERY, { token: tokens[0]! })),
    );
    for (const [i, answer] of answers.entries()) {
      if (answer.errors || !answer.data)
        throw new Error(`${gateways[i]!.name} cannot answer the overview: ${JSON.stringify(answer)}`);
    }
    const sameAnswers = isDeepStrictEqual(answers[0]!.data, answers[1]!.data);

    const targets: Record<QueryName, Array<{ name: string; url: string }>> = {
      overview: [ours, hive],
      light: [ours, hive, { name: 'subgraph', url: `${identity}/graphql` }],
    };
    const bodies: Record<QueryName, string> = {
      overview: JSON.stringify({ query: OVERVIEW_QUERY }),
      light: JSON.stringify({ query: LIGHT_QUERY }),
    };
    const load = (query: QueryName, url: string, durationMs: number, warmupMs: number) =>
      runLoad(
        {
          url,
          body: bodies[query],
          headers: (sequence) => ({ authorization: `Bearer ${tokens[sequence % tokens.length]!}` }),
        },
        { concurrency: settings.concurrency, durationMs, warmupMs },
      );
    // A first pass over every target, not measured: query plans, JIT and connection pools settle.
    for (const query of ['overview', 'light'] as const) {
      for (const target of targets[query]) await load(query, target.url, 0, 2 * settings.warmupMs);
    }
    const measurements: Measurement[] = [];
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const query of ['overview', 'light'] as const) {
        const order = round % 2 === 0 ? targets[query] : [...targets[query]].reverse();
        for (const target of order) {
          const result = await load(query, target.url, settings.durationMs, settings.warmupMs);
          log(
            `  round ${round + 1} ${query} ${target.name}: ${result.requestsPerSecond} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.errors} errors`,
          );
          if (result.errors > 0) log(`    e.g. ${result.errorSamples[0]}`);
          measurements.push({ query, target: target.name, round, result });
        }
      }
    }

    const summaries: GatewaySummary[] = [];
    for (const query of ['overview', 'light'] as const) {
      const of = (target: string) => measurements.filter((m) => m.query === query && m.target === target);
      const summarise = (target: string) => {
        const runs = of(target);
        return {
          requestsPerSecond: round(median(runs.map((m) => m.result.requestsPerSecond))),
          latencyMs: {
            p50: round(median(runs.map((m) => m.result.latencyMs.p50))),
            p95: round(median(runs.map((m) => m.result.latencyMs.p95))),
            p99: round(median(runs.map((m) => m.result.latencyMs.p99))),
          },
          errors: runs.reduce((sum, m) => sum + m.result.errors, 0),
        };
      };
      const hiveFigures = summarise('hive');
      for (const target of targets[query]) {
        const figures = summarise(target.name);
        summaries.push({
          query,
          target: target.name,
          ...figures,
          throughputVsHive: ratio(figures.requestsPerSecond, hiveFigures.requestsPerSecond),
          p50VsHive: ratio(figures.latencyMs.p50, hiveFigures.latencyMs.p50),
        });
      }
    }

    return {
      section: 'gateway',
      title: `throughput and latency at ${settings.concurrency} concurrent users, median of ${settings.rounds} rounds of ${settings.durationMs / 1000} s`,
      tables: [
        {
          header: [
            'query',
            'target',
            'req/s',
            'p50 ms',
            'p95 ms',
            'p99 ms',
            'errors',
            'req/s vs hive',
            'p50 vs hive',
          ],
          rows: summaries.map((s) => [
            s.query,
            s.target,
            cell(s.requestsPerSecond),
            cell(s.latencyMs.p50),
            cell(s.latencyMs.p95),
            cell(s.latencyMs.p99),
            cell(s.errors),
            cell(s.throughputVsHive, 'x'),
            cell(s.p50VsHive, 'x'),
          ]),
        },
      ],
      notes: [
        `overview = me { names, residence, documents, 50 payment positions with instalments, practices with type and timeline, notifications }; light = ${LIGHT_QUERY}`,
        `both gateways gave ${sameAnswers ? 'the same' : 'DIFFERENT'} overview answer; tokens rotate over ${tokens.length} citizens (heads of household)`,
        'one process per gateway, one for all subgraphs (embedded hub, SQLite), the load generator in the benchmark process, all on the same machine',
      ],
      data: { settings, sameAnswers, summaries, measurements },
    };
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await services.stop();
  }
}
