import { auditPersonalDataRead } from '@sportello/platform';
import type { TributiContext } from '../context.js';
import type { PaymentPosition } from '../entities/payment-position.entity.js';
import { instalmentsOf, toPositionType } from './payment-position.mapper.js';
import type { PaymentPositionType } from './payment-position.type.js';

/** Positions as GraphQL types, their instalments loaded in one query. Authorise before calling. */
export async function viewPositions(
  ctx: TributiContext,
  rows: readonly PaymentPosition[],
): Promise<PaymentPositionType[]> {
  if (rows.length === 0) return [];
  const instalments = await instalmentsOf(
    ctx.em,
    rows.map((row) => row.id),
  );
  const mapping = { creditor: await ctx.creditor(), now: ctx.now, fineRules: ctx.settings.fineRules };
  return rows.map((row) => toPositionType(row, instalments.get(row.id) ?? [], mapping));
}

/** Audits a staff read of every payer in `rows` once (citizens and apps are not audited). */
export async function auditPayers(
  ctx: TributiContext,
  rows: readonly PaymentPosition[],
  resource: string,
): Promise<void> {
  if (ctx.principal.kind !== 'staff') return;
  for (const payer of new Set(rows.map((row) => row.payerFiscalCode))) {
    await auditPersonalDataRead(ctx, payer, { action: 'read', resource });
  }
}
