import { runService } from '@sportello/platform';
import { createNotifier, loadNotifierConfig } from './index.js';

/** Runs the notifier as its own process (the hub wires the embedded mode itself). */
await runService({
  name: 'notifier',
  loadConfig: loadNotifierConfig,
  create: createNotifier,
  describe: (notifier) => ({ channels: [...notifier.channels.keys()] }),
});
