import { runService } from '@sportello/platform';
import { createTributi, loadTributiConfig } from './index.js';

/** Runs tributi as its own process (the hub wires the embedded mode itself). */
await runService({ name: 'tributi', loadConfig: loadTributiConfig, create: createTributi });
