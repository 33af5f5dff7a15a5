import { z } from 'zod';
import {
  type ServiceCoreConfig,
  defineServiceConfig,
  type ServiceConfigDefinition,
  envInteger,
  envText,
} from '@sportello/platform';

/** Everything civil-protection needs, typed; built by {@link loadCivilProtectionConfig} or by hand in tests. */
export interface CivilProtectionConfig extends ServiceCoreConfig {
  /** Domain of the CAP sender address: `protezione-civile.<istat>@<domain>`. */
  capSenderDomain: string;
  /**
   * How long CDNs and clients may keep a feed (`max-age`, and as long again
   * `stale-while-revalidate`), in seconds; the gateway's bound for public data.
   * @default 5
   */
  feedMaxAgeSeconds?: number;
  /**
   * How often ended alerts are looked for, to announce the end of those whose issuer asked
   * (`alert.expired`), in seconds; the service also wakes up when the next one ends, if sooner.
   * @default 30
   */
  alertExpiryCheckSeconds?: number;
}

/**
 * The environment variables civil protection reads (the hub hands each service those of its own, no others),
 * and the reading of its configuration from them.
 */
export const {
  variables: CIVIL_PROTECTION_ENV_VARIABLES,
  load: loadCivilProtectionConfig,
}: ServiceConfigDefinition<CivilProtectionConfig> = defineServiceConfig(
  'civil-protection',
  {
    FEED_MAX_AGE_SECONDS: envInteger({ min: 1, max: 3_600 }, 5),
    ALERT_EXPIRY_CHECK_SECONDS: envInteger({ min: 1, max: 3_600 }, 30),
    CAP_SENDER_DOMAIN: envText('sportello.example').pipe(
      z.string().regex(/^[a-z0-9.-]+$/i, 'expected a domain name such as comune.example.it'),
    ),
  },
  {
    build: (raw) => ({
      capSenderDomain: raw.CAP_SENDER_DOMAIN,
      feedMaxAgeSeconds: raw.FEED_MAX_AGE_SECONDS,
      alertExpiryCheckSeconds: raw.ALERT_EXPIRY_CHECK_SECONDS,
    }),
  },
);
