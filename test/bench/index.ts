/**
 * `npm run bench`: runs every benchmark section (or those named with `--only a,b`), prints a table
 * per section and writes `bench-results/<section>.json`. Not part of `npm test`.
 *
 * Sections: gateway (our gateway vs Hive Gateway vs the subgraph), sql (statements per overview),
 * notifier (planning, email, Telegram pacing), fan-out (graphql-ws subscribers, both modes), live
 * (subscribers under a burst of practice changes, both modes), spike (public
 * data under a spike), lanes (an alert and practices during a billing run), and the subscription
 * latency benchmark when present.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGatewayBenchmark } from './gateway.js';
import { runFanOutBenchmark } from './fan-out.js';
import { runLanesBenchmark } from './lanes.js';
import { runLiveBenchmark } from './live.js';
import { runNotifierBenchmark } from './notifier.js';
import { formatSection, writeSectionJson, type SectionResult } from './report.js';
import { runSpikeBenchmark } from './spike.js';
import { runSqlBenchmark } from './sql.js';

/** A section of the harness. */
export interface BenchSection {
  name: string;
  run(log: (line: string) => void): Promise<SectionResult>;
}

/**
 * A benchmark module written on its own (with its own JSON output and table), adapted to a
 * section: its result becomes the JSON data, and its numeric top-level fields a table.
 */
function standalone(
  name: string,
  title: string,
  run: (log: (line: string) => void) => Promise<unknown>,
): BenchSection {
  return {
    name,
    async run(log) {
      const data = await run(log);
      const rows = Object.entries((data ?? {}) as Record<string, unknown>)
        .filter(([, value]) => typeof value === 'number')
        .map(([key, value]) => [key, String(value)]);
      return {
        section: name,
        title,
        tables: rows.length > 0 ? [{ header: ['figure', 'value'], rows }] : [],
        notes: ['its own table is printed above'],
        data,
      };
    },
  };
}

/**
 * The subscription latency benchmark, when its module is there: it is loaded at run time and its
 * first exported `run...Benchmark` function is called.
 */
const subscriptionLatency = standalone('subscription-latency', 'event to subscriber latency', async (log) => {
  let module: Record<string, unknown>;
  try {
    module = (await import(new URL('./subscription-latency.js', import.meta.url).href)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      log('subscription-latency: not present in this build, skipped');
      return { skipped: 'test/bench/subscription-latency.ts is not present' };
    }
    throw error;
  }
  const run = Object.entries(module).find(
    ([key, value]) => /^run\w*Benchmark$/.test(key) && typeof value === 'function',
  )?.[1] as ((options: { log: (line: string) => void }) => Promise<unknown>) | undefined;
  if (!run) throw new Error('subscription-latency.js exports no run...Benchmark function');
  return run({ log });
});

/** Every section, in the order `npm run bench` runs them. */
export const SECTIONS: readonly BenchSection[] = [
  { name: 'gateway', run: (log) => runGatewayBenchmark({ log }) },
  { name: 'sql', run: (log) => runSqlBenchmark({ log }) },
  { name: 'notifier', run: (log) => runNotifierBenchmark({ log }) },
  { name: 'fan-out', run: (log) => runFanOutBenchmark({ log }) },
  { name: 'live', run: (log) => runLiveBenchmark({ log }) },
  standalone('spike', 'public data under a spike, sharing on vs off', (log) =>
    runSpikeBenchmark({ log, output: 'bench-results/spike.json' }),
  ),
  { name: 'lanes', run: (log) => runLanesBenchmark({ log }) },
  subscriptionLatency,
];

/** Section names from `--only a,b` or `--only a --only b`; all when absent. */
export function selectedSections(argv: readonly string[]): BenchSection[] {
  const names: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--only' && argv[i + 1]) names.push(...argv[i + 1]!.split(','));
    else if (arg.startsWith('--only=')) names.push(...arg.slice('--only='.length).split(','));
  });
  if (names.length === 0) return [...SECTIONS];
  const unknown = names.filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown section ${unknown.join(', ')}: choose among ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
  }
  return SECTIONS.filter((section) => names.includes(section.name));
}

async function main(): Promise<void> {
  const sections = selectedSections(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const failed: string[] = [];
  for (const section of sections) {
    const started = performance.now();
    try {
      const result = await section.run(log);
      // A standalone module may have written its own file already; this one is the harness's.
      if (section.name !== 'spike') await writeSectionJson(result);
      console.log(`\n${formatSection(result)}`);
      console.log(
        `  (${section.name} took ${Math.round((performance.now() - started) / 1000)} s; bench-results/${section.name}.json)\n`,
      );
    } catch (error) {
      failed.push(section.name);
      console.error(`\n${section.name} failed:`, error);
    }
  }
  if (failed.length > 0) {
    console.error(`failed sections: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Children (gateways, services) are stopped by the sections; exit in case a handle lingers.
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
