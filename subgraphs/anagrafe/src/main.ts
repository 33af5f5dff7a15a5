import { runService } from '@sportello/platform';
import { createAnagrafe, loadAnagrafeConfig } from './index.js';

/** Runs anagrafe as its own process (the hub wires the embedded mode itself). */
await runService({ name: 'anagrafe', loadConfig: loadAnagrafeConfig, create: createAnagrafe });
