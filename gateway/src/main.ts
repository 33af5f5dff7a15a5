/**
 * The gateway process: reads its environment, boots from the committed supergraph and serves
 * `/graphql`, `/health`, `/ready` and `/metrics` until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  type EventBus,
  createLogger,
  createNatsBus,
  createTokenVerifier,
  internalAssertionsFor,
  startTracingFromEnv,
} from '@sportello/platform';
import { collectDefaultMetrics } from 'prom-client';
import { readCommittedSupergraph } from './composition/schema-artefacts.js';
import { type GatewayEnv, gatewayConfigFromEnv, gatewayTokenIssuer, parseGatewayEnv } from './config.js';
import { createGateway } from './gateway.js';
import { sportelloSubscriptionBindings } from './subscriptions/sportello-bindings.js';

let env: GatewayEnv;
try {
  env = parseGatewayEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const logger = createLogger({ name: 'gateway', level: env.LOG_LEVEL });
const tracing = startTracingFromEnv(process.env, {
  app: 'gateway',
  serviceName: 'sportello-gateway',
  logger,
});

const supergraphSdl =
  env.GATEWAY_SUPERGRAPH_FILE === undefined
    ? readCommittedSupergraph()
    : readFileSync(env.GATEWAY_SUPERGRAPH_FILE, 'utf8');
const trustedDocuments: unknown =
  env.GATEWAY_TRUSTED_DOCUMENTS_FILE === undefined
    ? undefined
    : JSON.parse(readFileSync(env.GATEWAY_TRUSTED_DOCUMENTS_FILE, 'utf8'));

const internal = internalAssertionsFor('gateway', env.INTERNAL_SECRET);
const verifier = createTokenVerifier({
  issuer: gatewayTokenIssuer(env),
  audience: env.TOKEN_AUDIENCE,
  jwks: env.JWKS_URL,
  // Identity's keys are behind the trust boundary too.
  ...(internal ? { jwksHeaders: internal.headers } : {}),
});
// The in-process bus only reaches services in the same process (the embedded hub wires that
// itself); a standalone gateway listens to NATS.
const bus: EventBus | undefined =
  env.BUS === 'nats'
    ? await createNatsBus({ servers: env.NATS_URL, connectionName: 'gateway', logger })
    : undefined;

const gateway = await createGateway(gatewayConfigFromEnv(env, { supergraphSdl, trustedDocuments }), {
  verifier,
  logger,
  ...(bus ? { bus } : {}),
  subscriptions: sportelloSubscriptionBindings(),
});
// A process of its own: its /metrics reports the process too (memory, heap, event loop), as a
// service's does (`sportello_process_resident_memory_bytes`...).
collectDefaultMetrics({ register: gateway.metrics.registry, prefix: 'sportello_' });
await gateway.listen(env.PORT, env.HOST);

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'gateway stopping');
  await gateway.close();
  await bus?.close();
  await tracing.shutdown();
  process.exit(0);
}
process.once('SIGTERM', (signal) => void shutdown(signal));
process.once('SIGINT', (signal) => void shutdown(signal));
