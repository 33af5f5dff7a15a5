import { runService } from '@sportello/platform';
import { createIdentity, loadIdentityConfig } from './index.js';

/** Runs identity as its own process (the hub wires the embedded mode itself). */
await runService({ name: 'identity', loadConfig: loadIdentityConfig, create: createIdentity });
