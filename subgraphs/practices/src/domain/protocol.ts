import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@sportello/platform';

/** A protocol number as printed on receipts: `2026/000123`. */
export function formatProtocolNumber(year: number, sequence: number): string {
  return `${year}/${String(sequence).padStart(6, '0')}`;
}

/**
 * Takes the next protocol number of `comune` for `year`. Must run inside the transaction that
 * registers the practice: the counter row is bumped with one `UPDATE ... RETURNING`, which locks
 * the row on PostgreSQL until commit (concurrent submissions queue behind it) and is serialised by
 * the single writer on SQLite. A rolled-back registration gives its number back with it, so the
 * register has no gaps and no duplicates. The row is created by the year's first registration
 * only: the others bump it with one statement.
 */
export async function nextProtocolNumber(tx: EntityManager, comune: string, year: number): Promise<string> {
  const bump = async () =>
    (await tx.execute(
      'update protocol_counter set value = value + 1 where comune = ? and year = ? returning value',
      [comune, year],
    )) as Array<{ value: number | string }>;
  let rows = await bump();
  if (rows.length === 0) {
    // The first registration of a year creates the row; racing creators leave exactly one.
    await tx.execute(
      'insert into protocol_counter (id, comune, year, value) values (?, ?, ?, 0) on conflict (comune, year) do nothing',
      [randomUUID(), comune, year],
    );
    rows = await bump();
  }
  const value = rows[0]?.value;
  if (value === undefined) throw new Error(`protocol counter of ${comune}/${year} is missing`);
  return formatProtocolNumber(year, Number(value));
}
