export { loadHubConfig } from './config.js';
export { startEmbeddedHub } from './embedded-hub.js';
export {
  generatePopulation,
  type DemoPopulation,
  type DemoPerson,
  type DemoHousehold,
} from './demo/population.js';
export { startMailCatcher } from './mail-catcher.js';
