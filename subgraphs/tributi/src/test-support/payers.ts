import { addDays, civilDate } from '@sportello/platform';
import { computeFiscalCode } from '@sportello/schema';

/** `count` distinct valid fiscal codes, for billing runs of many payers. */
export function payers(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    computeFiscalCode({
      surname: ['ROSSI', 'BIANCHI', 'VERDI', 'NERI'][i % 4]!,
      name: i % 8 < 4 ? 'MARIO' : 'ANNA',
      sex: i % 8 < 4 ? 'M' : 'F',
      birthDate: addDays('1930-01-01', Math.floor(i / 8)),
      birthPlaceCode: 'H501',
    }),
  );
}

/** A TARI 2026 billing run of `count` payers of 50 EUR, due in 45 days, its items referenced `<key>-<n>`. */
export function tariRun(key: string, count: number) {
  return {
    idempotencyKey: key,
    kind: 'TARI' as const,
    year: 2026,
    description: 'TARI 2026',
    dueDates: [addDays(civilDate(new Date()), 45)],
    items: payers(count).map((payerFiscalCode, index) => ({
      payerFiscalCode,
      amountCents: 5_000,
      externalRef: `${key}-${index}`,
    })),
  };
}
