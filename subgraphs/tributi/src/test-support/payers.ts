import { addDays } from '@sportello/platform';
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
