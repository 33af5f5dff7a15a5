/**
 * `npm run start:distributed`: every service in its own process, on PostgreSQL (one database per
 * service) and NATS JetStream. Seeds the demo comune first, then starts the processes and waits
 * until each answers /health.
 */
import { ConfigError } from '@sportello/platform';
import { loadHubConfig } from './config.js';
import { upBanner } from './banner.js';
import { startDistributedHub } from './distributed-hub.js';

try {
  const config = loadHubConfig(process.env);
  console.log(
    `Sportello: starting the distributed hub in ${config.mode} mode (PostgreSQL + NATS, one process per service)...`,
  );
  const hub = await startDistributedHub(config, { onProgress: (line) => console.log(line) });
  console.log(
    upBanner(config, hub, [
      `  processes          ${hub.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`,
    ]),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log('Sportello: stopping...');
      void hub.close().finally(() => process.exit(0));
    });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
