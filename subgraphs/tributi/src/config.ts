import { z } from 'zod';
import { isValidOrganizationFiscalCode } from '@sportello/schema';
import {
  defineServiceConfig,
  type ServiceConfigDefinition,
  envBoolean,
  envInteger,
  envText,
  type ServiceCoreConfig,
} from '@sportello/platform';
import type { FineRules } from './domain/fines.js';
import type { CreditorProfile } from './domain/notice-numbers.js';

/** Everything tributi needs, typed; built by {@link loadTributiConfig} or by hand in tests. */
export interface TributiConfig extends ServiceCoreConfig {
  /**
   * Creditor profiles registered at start (the comune's fiscal code, name and pagoPA segregation
   * code). A comune without one cannot issue notices.
   */
  creditors: CreditorProfile[];
  /** Who may deliver payment receipts: `service` principals and API client ids. */
  paymentProviders: { services: string[]; clients: string[] };
  reminders: {
    /** Run the daily reminder job in this process. @default true */
    enabled: boolean;
    /** Hour of the day (Italian time). @default 8 */
    hour: number;
    /** Days before a due date a `payment.due-soon` goes out. @default [7, 1] */
    offsetsDays: number[];
  };
  fineRules: FineRules;
  /** Positions per transaction in bulk jobs. @default 500 */
  bulkBatchSize: number;
}

const list = (raw: string) =>
  raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

/**
 * The environment variables tributi reads (the hub hands each service those of its own, no others),
 * and the reading of its configuration from them.
 */
export const {
  variables: TRIBUTI_ENV_VARIABLES,
  load: loadTributiConfig,
}: ServiceConfigDefinition<TributiConfig> = defineServiceConfig(
  'tributi',
  {
    CREDITOR_FISCAL_CODE: envText('').pipe(
      z.string().refine((value) => value === '' || isValidOrganizationFiscalCode(value), {
        message: 'expected the comune’s 11-digit fiscal code (Luhn check digit)',
      }),
    ),
    /** @default `Comune di <COMUNE_NAME>` */
    CREDITOR_NAME: envText().optional(),
    SEGREGATION_CODE: envText('01').pipe(
      z.string().regex(/^(0[1-9]|[1-9]\d)$/, 'expected two digits from 01 to 99'),
    ),
    PAYMENT_PROVIDER_SERVICES: envText('pagopa'),
    PAYMENT_PROVIDER_CLIENTS: envText(''),
    REMINDERS_ENABLED: envBoolean(true),
    REMINDER_HOUR: envInteger({ min: 0, max: 23 }, 8),
    REMINDER_OFFSETS_DAYS: envText('7,1').pipe(
      z.string().regex(/^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$/, 'expected comma-separated day counts, e.g. 7,1'),
    ),
    FINE_REDUCED_WITHIN_DAYS: envInteger({ min: 0, max: 60 }, 5),
    FINE_REDUCTION_PERCENT: envInteger({ min: 0, max: 100 }, 30),
    BULK_BATCH_SIZE: envInteger({ min: 10, max: 5_000 }, 500),
  },
  {
    check(env, ctx) {
      // Without the comune's fiscal code no pagoPA notice can be made.
      if (env.SPORTELLO_MODE === 'production' && env.CREDITOR_FISCAL_CODE === '') {
        ctx.addIssue({
          code: 'custom',
          path: ['CREDITOR_FISCAL_CODE'],
          message: "required in production: the comune's fiscal code, creditor of its pagoPA notices",
        });
      }
    },
    build: (raw) => {
      return {
        creditors:
          raw.CREDITOR_FISCAL_CODE === ''
            ? []
            : [
                {
                  comune: raw.COMUNE,
                  fiscalCode: raw.CREDITOR_FISCAL_CODE,
                  name: raw.CREDITOR_NAME ?? `Comune di ${raw.COMUNE_NAME}`,
                  segregationCode: raw.SEGREGATION_CODE,
                },
              ],
        paymentProviders: {
          services: list(raw.PAYMENT_PROVIDER_SERVICES),
          clients: list(raw.PAYMENT_PROVIDER_CLIENTS),
        },
        reminders: {
          enabled: raw.REMINDERS_ENABLED,
          hour: raw.REMINDER_HOUR,
          offsetsDays: list(raw.REMINDER_OFFSETS_DAYS).map(Number),
        },
        fineRules: {
          reducedWithinDays: raw.FINE_REDUCED_WITHIN_DAYS,
          reductionPercent: raw.FINE_REDUCTION_PERCENT,
        },
        bulkBatchSize: raw.BULK_BATCH_SIZE,
      };
    },
  },
);
