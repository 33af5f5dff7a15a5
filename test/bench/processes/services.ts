/**
 * Child process of the benchmarks: the embedded hub (every service on SQLite, the in-process bus,
 * its own gateway) started as `npm start` starts it, with a fresh demo comune in a temp folder, and
 * the SQL statement counter installed before the services open their databases.
 *
 * Argument: JSON `{ "households": number }`. Requests from the benchmark: `{ op: 'watch', traceId }`
 * and `{ op: 'take', traceId }` (SQL statements of a traced request), `{ op: 'tally' }` and
 * `{ op: 'take-tally' }` (every statement of every service meanwhile).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedHub } from '@sportello/hub';
import { serveParent } from '../child-process.js';
import { embeddedHubConfig, embeddedHubReady, type EmbeddedHubReady } from '../embedded-hub-config.js';
import { installSqlCounter } from '../sql-counter.js';

/** What the services process reports once up. */
export interface ServicesReady extends EmbeddedHubReady {
  issuer: string;
  jwksUrl: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as { households?: number };
const counter = installSqlCounter();

serveParent(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sportello-bench-'));
  const households = options.households ?? 300;
  const { config, internalSecret } = embeddedHubConfig({ dataDir, households });
  const hub = await startEmbeddedHub(config);
  const ready: ServicesReady = {
    ...embeddedHubReady(hub, { internalSecret, comune: config.comune, households }),
    issuer: hub.topology.issuer,
    jwksUrl: hub.topology.jwksUrl,
  };
  return {
    ready: { ...ready },
    async handle(request) {
      if (request.op === 'watch') return counter.watch(String(request.traceId));
      if (request.op === 'take') return counter.take(String(request.traceId));
      if (request.op === 'tally') return counter.tally();
      if (request.op === 'take-tally') return counter.takeTally();
      throw new Error(`unknown request ${String(request.op)}`);
    },
    async close() {
      await hub.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
