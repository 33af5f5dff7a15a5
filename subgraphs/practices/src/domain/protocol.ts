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

/** Registrations of one comune and year this process lets into the database at once. */
const REGISTRATIONS_AT_ONCE = 4;

const registrationTurns = new Map<string, { running: number; waiting: Array<() => void> }>();

/**
 * Runs `work`, a transaction that takes a protocol number of `comune` for `year`, when fewer than
 * `REGISTRATIONS_AT_ONCE` others of this process are running. On PostgreSQL the counter row is
 * locked from a registration's number to its commit, so registrations take turns there anyway; a
 * transaction waiting on that lock holds one of the process's ten database connections all the
 * while. Under a burst of submissions they took every connection, and every other request of the
 * service (a dashboard's read, the outbox relay) waited for the whole queue. Waiting here holds no
 * connection; the others let in read their practices while the first holds the number, so the next
 * one is already waiting at the lock when it is let go.
 */
export async function inRegistrationTurn<T>(
  comune: string,
  year: number,
  work: () => Promise<T>,
): Promise<T> {
  const key = `${comune}|${year}`;
  let turns = registrationTurns.get(key);
  if (!turns) registrationTurns.set(key, (turns = { running: 0, waiting: [] }));
  const entry = turns;
  if (entry.running >= REGISTRATIONS_AT_ONCE) {
    await new Promise<void>((resolve) => entry.waiting.push(resolve));
  } else {
    entry.running += 1;
  }
  try {
    return await work();
  } finally {
    // The turn passes to the next waiting registration, or is given back.
    const next = entry.waiting.shift();
    if (next) next();
    else {
      entry.running -= 1;
      if (entry.running === 0) registrationTurns.delete(key);
    }
  }
}
