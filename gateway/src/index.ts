export {
  composeSupergraph,
  CompositionFailedError,
  NoSubgraphsError,
  type SubgraphSource,
  type ComposedSchemas,
} from './composition/compose-supergraph.js';
export {
  reviewBreakingChanges,
  parseAcknowledgements,
  InvalidAcknowledgementsError,
  type BreakingChangeReport,
  type BreakingChangeAcknowledgements,
} from './composition/breaking-changes.js';
export {
  readSubgraphSdlFiles,
  checkSchemaArtefacts,
  writeSchemaArtefacts,
  acceptApiBaseline,
  readCommittedSupergraph,
  SCHEMA_ARTEFACTS,
  type SubgraphSdlFile,
  type SchemaCheckReport,
  type ComposeOutcome,
} from './composition/schema-artefacts.js';
export { createGateway, type GatewayHandle, type GatewayDeps, type GatewayLogger } from './gateway.js';
export {
  resolveGatewayConfig,
  gatewayConfigSchema,
  GatewayConfigError,
  type GatewayConfig,
  type GatewayConfigInput,
  type ClientDocuments,
} from './config.js';
export { type GatewayTokenVerifier, type Caller } from './auth/caller.js';
export { type GatewayMetrics } from './metrics.js';
export {
  parseGatewayEnv,
  gatewayConfigFromEnv,
  gatewayEnvSchema,
  gatewayTokenIssuer,
  type GatewayEnv,
} from './config.js';
export {
  type SubscriptionBinding,
  type SubscriptionBindings,
  type SubscriptionRequest,
  type EntityLookup,
} from './subscriptions/subscription-binding.js';
export { sportelloSubscriptionBindings } from './subscriptions/sportello-bindings.js';
export { PUBLIC_DATA_EVENTS } from './public-data/invalidation.js';
export { SLOW_CONSUMER_CLOSE_CODE, TOKEN_EXPIRED_CLOSE_CODE } from './subscriptions/live-subscriptions.js';
