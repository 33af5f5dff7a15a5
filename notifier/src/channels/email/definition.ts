import { createRateLimiter } from '../../pacing/rate-limiter.js';
import { defineChannel } from '../definition.js';
import { createLaneLimiter, laneKey, laneOfRow } from '../lanes.js';
import { createEmailChannel } from './email-channel.js';

/** Email over SMTP (`SMTP_*`); the sandbox folder without `SMTP_HOST`. */
export const emailChannel = defineChannel({
  name: 'email',
  settings: (config) => config.smtp,
  build(smtp, host) {
    const email = host.given === undefined && smtp ? createEmailChannel(smtp) : undefined;
    return {
      channel: host.given ?? email ?? host.sandbox(),
      dispatch: {
        // The relay's rate goes to alerts first: a reminder run's queued sends never push an alert's slot back.
        limiter: createLaneLimiter(
          createRateLimiter({ global: { ratePerSecond: smtp?.ratePerSecond ?? 50 } }),
        ),
        keyOf: (row) => laneKey(laneOfRow(row)),
        // An answer lost after sending: sent again with the same Message-ID, which receiving systems recognise.
        onUncertain: 'resend',
      },
      ...(email ? { close: () => email.close() } : {}),
    };
  },
});
