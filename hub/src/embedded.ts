/**
 * `npm start`: the whole hub in one process with demo data (SQLite, in-process bus, local mailbox).
 */
import { ConfigError, createLogger, startTracing, tracingOptions } from '@sportello/platform';
import { loadHubConfig } from './config.js';
import { upBanner } from './banner.js';
import { startEmbeddedHub } from './embedded-hub.js';

try {
  const config = loadHubConfig(process.env);
  // One process, one tracer provider: spans tell the services apart by `sportello.service`.
  const tracing = startTracing(
    tracingOptions(config.tracing, createLogger({ name: 'hub', level: config.logLevel })),
  );
  console.log(
    config.mode === 'demo'
      ? 'Sportello: starting the embedded hub in demo mode (first start generates the demo comune)...'
      : `Sportello: starting the embedded hub in production mode for comune ${config.comune}...`,
  );
  const hub = await startEmbeddedHub(config, { onProgress: (line) => console.log(line) });
  console.log(upBanner(config, hub, [`  data               ${config.dataDir}`]));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log('Sportello: stopping...');
      void hub
        .close()
        .then(() => tracing.shutdown())
        .finally(() => process.exit(0));
    });
  }
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
