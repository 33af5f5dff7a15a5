import { makeNoticeNumber, type NoticeNumber } from '@sportello/schema';
import type { EntityManager } from '@sportello/platform';
import { CreditorEntity } from '../entities/creditor.entity.js';

/** The comune as pagoPA creditor. */
export interface CreditorProfile {
  comune: string;
  /** 11-digit organisation fiscal code. */
  fiscalCode: string;
  name: string;
  /** `01`-`99`. */
  segregationCode: string;
}

/** IUV bases are 13 digits. */
const IUV_BASE_LIMIT = 10 ** 13;

/** Thrown when a comune has no creditor profile: a deployment mistake, not a client one. */
export class CreditorNotConfiguredError extends Error {
  override readonly name = 'CreditorNotConfiguredError';
}

/**
 * Registers (or updates the name, fiscal code and segregation code of) the comune's creditor
 * profile. The IUV sequence of an existing profile is never touched.
 */
export async function ensureCreditor(em: EntityManager, profile: CreditorProfile): Promise<void> {
  const existing = await em.findOne(CreditorEntity, { comune: profile.comune });
  if (existing === null) {
    em.create(CreditorEntity, { ...profile, nextIuvBase: 1 });
  } else {
    existing.fiscalCode = profile.fiscalCode;
    existing.name = profile.name;
    existing.segregationCode = profile.segregationCode;
  }
  await em.flush();
}

/** The comune's creditor profile. @throws CreditorNotConfiguredError */
export async function creditorOf(em: EntityManager, comune: string): Promise<CreditorProfile> {
  const creditor = await em.findOne(CreditorEntity, { comune });
  if (creditor === null)
    throw new CreditorNotConfiguredError(`comune ${comune} has no pagoPA creditor profile`);
  return {
    comune,
    fiscalCode: creditor.fiscalCode,
    name: creditor.name,
    segregationCode: creditor.segregationCode,
  };
}

/**
 * Reserves `count` consecutive IUV bases of the comune's sequence and returns their notice numbers
 * (aux digit 3, the comune's segregation code, mod-93 check digits).
 *
 * One `UPDATE ... RETURNING` moves the sequence: on PostgreSQL it locks the creditor row until the
 * surrounding transaction ends, so concurrent allocations queue instead of overlapping; SQLite has
 * one writer at a time. A transaction that rolls back gives its range back with it, one that
 * commits keeps it for ever: a number is never handed out twice. Call it inside the transaction
 * that stores the instalments.
 *
 * @throws CreditorNotConfiguredError when the comune has no creditor profile.
 * @throws RangeError when the 13-digit sequence is exhausted.
 */
export async function allocateNoticeNumbers(
  em: EntityManager,
  comune: string,
  count: number,
): Promise<{ creditor: CreditorProfile; noticeNumbers: NoticeNumber[] }> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be 1 or more, got ${count}`);
  const rows = await em.execute<
    { next_iuv_base: number | string; fiscal_code: string; name: string; segregation_code: string }[]
  >(
    'update creditor set next_iuv_base = next_iuv_base + ? where comune = ? ' +
      'returning next_iuv_base, fiscal_code, name, segregation_code',
    [count, comune],
    'all',
  );
  const row = rows[0];
  if (row === undefined)
    throw new CreditorNotConfiguredError(`comune ${comune} has no pagoPA creditor profile`);
  const end = Number(row.next_iuv_base);
  if (end > IUV_BASE_LIMIT) throw new RangeError(`the IUV sequence of comune ${comune} is exhausted`);
  const first = end - count;
  const noticeNumbers = Array.from({ length: count }, (_, index) =>
    makeNoticeNumber({ segregationCode: row.segregation_code, iuvBase: BigInt(first + index) }),
  );
  return {
    creditor: { comune, fiscalCode: row.fiscal_code, name: row.name, segregationCode: row.segregation_code },
    noticeNumbers,
  };
}
