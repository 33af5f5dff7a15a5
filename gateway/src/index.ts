export { composeSupergraph } from './composition/compose-supergraph.js';
export { createGateway } from './gateway.js';
export { parseGatewayEnv, gatewayConfigFromEnv, gatewayEnvSchema, gatewayTokenIssuer } from './config.js';
export { sportelloSubscriptionBindings } from './subscriptions/sportello-bindings.js';
