import { createRateLimiter } from '../../pacing/rate-limiter.js';
import { defineChannel } from '../definition.js';
import { createLaneLimiter, laneKey, laneOfRow } from '../lanes.js';
import { createIoChannel } from './io-channel.js';

/** App IO (`IO_*`); the sandbox folder without `IO_API_KEY`. */
export const ioChannel = defineChannel({
  name: 'io',
  settings: (config) => config.io,
  build(io, host) {
    const service = io ? { baseUrl: io.baseUrl, apiKey: io.apiKey } : undefined;
    return {
      channel: host.given ?? (service ? createIoChannel({ resolveService: () => service }) : host.sandbox()),
      dispatch: {
        // Each comune's IO quota goes to alerts first, then to practice updates, then to reminders.
        limiter: createLaneLimiter(createRateLimiter({ perKey: { ratePerSecond: io?.ratePerSecond ?? 50 } })),
        keyOf: (row) => laneKey(laneOfRow(row), row.comune),
        // No idempotency key: an answer lost after sending waits for staff as `uncertain`.
        onUncertain: 'hold',
      },
    };
  },
});
