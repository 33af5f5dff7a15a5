import { runService } from '@sportello/platform';
import { createCivilProtection, loadCivilProtectionConfig } from './index.js';

/** Runs civil-protection as its own process (the hub wires the embedded mode itself). */
await runService({
  name: 'civil-protection',
  loadConfig: loadCivilProtectionConfig,
  create: createCivilProtection,
});
