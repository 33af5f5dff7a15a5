import type { FilterQuery } from '@mikro-orm/core';
import type { PaymentKind } from '@sportello/schema';
import {
  type Connection,
  type EntityManager,
  type KeysetOrder,
  addDays,
  civilDate,
  connectionFromRows,
  decodeCursor,
  keysetCondition,
  keysetOrderBy,
  pageSize,
} from '@sportello/platform';
import { InstalmentEntity, type Instalment } from '../entities/instalment.entity.js';
import { PaymentPositionEntity, type PaymentPosition } from '../entities/payment-position.entity.js';
import type { PositionStatus } from './vocabulary.js';

/** What staff (or a payer, for their own) search positions by; every field narrows. */
export interface PositionFilter {
  payerFiscalCode?: string | null;
  noticeNumber?: string | null;
  kind?: PaymentKind | null;
  year?: number | null;
  status?: PositionStatus | null;
}

/** Newest first: ids are UUID v7, time-ordered and unique, so the id alone is a stable key. */
const POSITION_ORDER: KeysetOrder = [['id', 'desc']];

/**
 * Positions matching `filter`, newest first, `first` at a time after the cursor `after`.
 * @throws {BadUserInputError} for a bad page size or cursor.
 */
export async function searchPositions(
  em: EntityManager,
  filter: PositionFilter,
  page: { first?: number | null; after?: string | null },
): Promise<Connection<PaymentPosition>> {
  const size = pageSize(page.first);
  const key = decodeCursor(page.after, POSITION_ORDER.length);
  const where: FilterQuery<PaymentPosition> = {};
  if (filter.payerFiscalCode) where.payerFiscalCode = filter.payerFiscalCode.trim().toUpperCase();
  if (filter.kind) where.kind = filter.kind;
  if (filter.year != null) where.year = filter.year;
  if (filter.status) where.status = filter.status;
  if (filter.noticeNumber) {
    const instalment = await em.findOne(InstalmentEntity, {
      noticeNumber: filter.noticeNumber.replace(/\s/g, ''),
    });
    if (instalment === null)
      return connectionFromRows([], { size, after: key, totalCount: 0, keyOf, toNode });
    where.id = instalment.positionId;
  }
  const totalCount = await em.count(PaymentPositionEntity, where);
  const paged: FilterQuery<PaymentPosition> =
    key === null
      ? where
      : { $and: [where, keysetCondition(POSITION_ORDER, key) as FilterQuery<PaymentPosition>] };
  const rows = await em.find(PaymentPositionEntity, paged, {
    orderBy: keysetOrderBy(POSITION_ORDER),
    limit: size + 1,
  });
  return connectionFromRows(rows, { size, after: key, totalCount, keyOf, toNode });
}

const keyOf = (row: PaymentPosition) => [row.id];
const toNode = (row: PaymentPosition) => row;

/** Count and sum of positions per kind and status. */
export interface PositionTotal {
  kind: PaymentKind;
  status: PositionStatus;
  count: number;
  amountCents: number;
}

/** Totals of the comune's positions per kind and status, optionally for one year and kind. */
export async function positionTotals(
  em: EntityManager,
  comune: string,
  filter: { year?: number | null; kind?: PaymentKind | null },
): Promise<PositionTotal[]> {
  const conditions = ['comune = ?'];
  const params: unknown[] = [comune];
  if (filter.year != null) {
    conditions.push('year = ?');
    params.push(filter.year);
  }
  if (filter.kind) {
    conditions.push('kind = ?');
    params.push(filter.kind);
  }
  // Raw SQL bypasses the tenant filter: the comune condition above is what scopes it.
  const rows = await em.execute<
    { kind: PaymentKind; status: PositionStatus; count: number | string; amount: number | string }[]
  >(
    `select kind, status, count(*) as count, sum(amount_cents) as amount from payment_position ` +
      `where ${conditions.join(' and ')} group by kind, status order by kind, status`,
    params,
    'all',
  );
  return rows.map((row) => ({
    kind: row.kind,
    status: row.status,
    count: Number(row.count),
    amountCents: Number(row.amount),
  }));
}

/** Instalments paid on an Italian calendar day, newest first, with their positions. */
export async function paymentsReceivedOn(
  em: EntityManager,
  day: string,
): Promise<{ instalment: Instalment; position: PaymentPosition }[]> {
  // Italy is UTC+1 or +2: a day's payments fall between these instants, then the day decides.
  const from = new Date(`${day}T00:00:00Z`);
  from.setUTCHours(-3);
  const to = new Date(`${addDays(day, 1)}T03:00:00Z`);
  const instalments = (
    await em.find(
      InstalmentEntity,
      { status: 'paid', paidAt: { $gte: from, $lt: to } },
      { orderBy: { paidAt: 'desc' }, limit: 5_000 },
    )
  ).filter((row) => row.paidAt != null && civilDate(row.paidAt) === day);
  const positions = await em.find(PaymentPositionEntity, {
    id: { $in: instalments.map((row) => row.positionId) },
  });
  const byId = new Map(positions.map((row) => [row.id, row]));
  return instalments.flatMap((instalment) => {
    const position = byId.get(instalment.positionId);
    return position === undefined ? [] : [{ instalment, position }];
  });
}
