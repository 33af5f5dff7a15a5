export { loadHubConfig, SERVICES, type HubConfig, type ServiceName } from './config.js';
export { startEmbeddedHub, type EmbeddedHub, type EmbeddedHubOptions } from './embedded-hub.js';
export { planTopology, serviceEnvironment, type Topology, type RunMode } from './topology.js';
export {
  generatePopulation,
  type DemoPopulation,
  type DemoPerson,
  type DemoHousehold,
} from './demo/population.js';
export { startMailCatcher, type MailCatcher } from './mail-catcher.js';
