/**
 * `npm start`: the whole hub in one process with demo data (SQLite, in-process bus, local mailbox).
 */
import { ConfigError, createLogger, startTracing, tracingOptions } from '@sportello/platform';
import { loadHubConfig } from './config.js';
import { startEmbeddedHub } from './embedded-hub.js';

try {
  const config = loadHubConfig(process.env);
  // One process, one tracer provider: spans tell the services apart by `sportello.service`.
  const tracing = startTracing(
    tracingOptions(config.tracing, createLogger({ name: 'hub', level: config.logLevel })),
  );
  console.log('Sportello: starting the embedded hub (first start generates the demo comune)...');
  const hub = await startEmbeddedHub(config, { onProgress: (line) => console.log(line) });
  const base = hub.url.replace(/\/graphql$/, '');
  console.log(`
Sportello is up.
  GraphQL API        ${hub.url}   (graphql-ws on the same path)
  health             ${base}/health
  staff dashboard    ${base}/dashboard/   (development login: pick a staff member)
  identity (OIDC)    ${hub.services.identity}/.well-known/openid-configuration
  demo tokens        POST ${hub.services.identity}/auth/dev/token  {"kind": "citizen"}
  ${hub.mailbox ? `mailbox            ${hub.mailbox.folder}  (SMTP on 127.0.0.1:${hub.mailbox.port})` : `email              SMTP ${hub.topology.smtp.host}:${hub.topology.smtp.port}`}
  data               ${config.dataDir}
Press Ctrl+C to stop.`);

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
