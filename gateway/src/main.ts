/**
 * The gateway process: reads its environment, boots from the committed supergraph and serves
 * `/graphql`, `/health`, `/ready` and `/metrics` until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import {
  type EventBus,
  createLogger,
  createNatsBus,
  createTokenVerifier,
  startTracingFromEnv,
} from '@sportello/platform';
import { readCommittedSupergraph } from './composition/schema-artefacts.js';
import { gatewayConfigFromEnv, parseGatewayEnv } from './config.js';
import { createGateway } from './gateway.js';
import { sportelloSubscriptionBindings } from './subscriptions/sportello-bindings.js';

const env = parseGatewayEnv(process.env);
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

const verifier = createTokenVerifier({
  issuer: env.TOKEN_ISSUER,
  audience: env.TOKEN_AUDIENCE,
  jwks: env.JWKS_URL,
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
