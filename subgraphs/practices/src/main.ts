import { runService } from '@sportello/platform';
import { createPractices, loadPracticesConfig } from './index.js';

/** Runs practices as its own process (the hub wires the embedded mode itself). */
await runService({ name: 'practices', loadConfig: loadPracticesConfig, create: createPractices });
