import { createRateLimiter } from '../../pacing/rate-limiter.js';
import { defineChannel } from '../definition.js';
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
        limiter: createRateLimiter({ global: { ratePerSecond: smtp?.ratePerSecond ?? 50 } }),
        keyOf: () => undefined,
        // An answer lost after sending: sent again with the same Message-ID, which receiving systems recognise.
        onUncertain: 'resend',
      },
      ...(email ? { close: () => email.close() } : {}),
    };
  },
});
