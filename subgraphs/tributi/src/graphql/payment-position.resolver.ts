import {
  BadUserInputError,
  ConflictError,
  ConnectionArgs,
  ForbiddenError,
  connectionFromArray,
  requireAuthenticated,
  requireStaff,
  isIsoDate,
  withNodes,
  type Connection,
} from '@sportello/platform';
import { GraphQLNoticeNumber, PAYMENT_KINDS, type PaymentKind } from '@sportello/schema';
import { Arg, Args, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TributiContext } from '../context.js';
import { authorisePaymentRead, paymentProviderOf, requireTributiStaff } from '../domain/access.js';
import { cancelPosition } from '../domain/cancellation.js';
import { createPositions, positionViolations, type NewPosition } from '../domain/positions.js';
import { recordPaymentReceipt } from '../domain/receipts.js';
import {
  paymentsReceivedOn,
  positionTotals,
  searchPositions,
  type PositionFilter,
} from '../domain/search.js';
import { TRIBUTI_OFFICE, type PositionStatus } from '../domain/vocabulary.js';
import { InstalmentEntity } from '../entities/instalment.entity.js';
import { PaymentPositionEntity, type PaymentPosition } from '../entities/payment-position.entity.js';
import { invalidInput, positionNotFound } from '../errors.js';
import { PaymentKindEnum } from './enums.js';
import { toReceiptType } from './payment-position.mapper.js';
import {
  NewPaymentPositionInput,
  PaymentReceiptInput,
  PaymentSearchInput,
} from './payment-position.input.js';
import {
  PaymentPositionConnectionType,
  PaymentPositionType,
  PaymentReceiptConnectionType,
  PaymentReceiptType,
  PaymentTotalType,
} from './payment-position.type.js';
import { auditPayers, viewPositions } from './positions-view.js';

/** One position the caller may read, or `null` when it does not exist. */
async function readablePosition(
  ctx: TributiContext,
  row: PaymentPosition | null,
): Promise<PaymentPositionType | null> {
  requireAuthenticated(ctx.principal);
  if (row === null) return null;
  await authorisePaymentRead(ctx, row.payerFiscalCode, `PaymentPosition:${row.id}`);
  const [view] = await viewPositions(ctx, [row]);
  return view ?? null;
}

@Resolver(() => PaymentPositionType)
export class PaymentPositionResolver {
  @Query(() => PaymentPositionType, {
    nullable: true,
    description: 'A position by id: its payer (or an app with their "tributi" grant) and tributi staff.',
  })
  async paymentPosition(
    @Arg('id', () => ID, { description: 'Id of the position.' }) id: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentPositionType | null> {
    return readablePosition(ctx, await ctx.em.findOne(PaymentPositionEntity, { id }));
  }

  @Query(() => PaymentPositionType, {
    nullable: true,
    description: 'The position a notice number belongs to (same access as paymentPosition).',
  })
  async paymentNotice(
    @Arg('noticeNumber', () => GraphQLNoticeNumber, { description: 'The 18-digit pagoPA notice number.' })
    noticeNumber: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentPositionType | null> {
    requireAuthenticated(ctx.principal);
    const instalment = await ctx.em.findOne(InstalmentEntity, { noticeNumber });
    if (instalment === null) return null;
    return readablePosition(ctx, await ctx.em.findOne(PaymentPositionEntity, { id: instalment.positionId }));
  }

  @Query(() => PaymentPositionConnectionType, {
    description: 'Tributi staff: search positions (newest first). Every payer shown is audited.',
  })
  async paymentPositions(
    @Arg('filter', () => PaymentSearchInput, {
      nullable: true,
      description: 'Search criteria; every position when omitted.',
    })
    filter: PaymentSearchInput | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: TributiContext,
  ): Promise<Connection<PaymentPositionType>> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const page = await searchPositions(ctx.em, (filter ?? {}) as PositionFilter, { first, after });
    await auditPayers(ctx, page.nodes, 'PaymentPosition');
    return withNodes(page, await viewPositions(ctx, page.nodes));
  }

  @Query(() => [PaymentTotalType], {
    description: 'Tributi staff: count and amount of positions per kind and status.',
  })
  async paymentTotals(
    @Arg('year', () => Int, { nullable: true, description: 'Only positions of this year.' })
    year: number | null,
    @Arg('kind', () => PaymentKindEnum, { nullable: true, description: 'Only positions of this kind.' })
    kind: string | null,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentTotalType[]> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const totals = await positionTotals(ctx.em, ctx.comune, { year, kind: kind as PaymentKind | null });
    return totals.map((total) => Object.assign(new PaymentTotalType(), total));
  }

  @Query(() => PaymentReceiptConnectionType, {
    description:
      'Tributi staff: payments received on a day (default today, Italian time), newest first. ' +
      'Live updates: subscribe to paymentReceived.',
  })
  async paymentsReceived(
    @Arg('on', () => String, { nullable: true, description: '`YYYY-MM-DD`' }) on: string | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: TributiContext,
  ): Promise<Connection<PaymentReceiptType>> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const day = on ?? ctx.today;
    if (!isIsoDate(day))
      throw new BadUserInputError(`on must be a YYYY-MM-DD day, got "${day}"`, { field: 'on' });
    // Newest first, as read; the notice number (one payment each) keys the cursor.
    const page = connectionFromArray(await paymentsReceivedOn(ctx.em, day), args, ({ instalment }) => [
      instalment.noticeNumber,
    ]);
    await auditPayers(
      ctx,
      page.nodes.map((row) => row.position),
      'PaymentReceipt',
    );
    return withNodes(
      page,
      page.nodes.map(({ instalment, position }) =>
        toReceiptType({
          noticeNumber: instalment.noticeNumber,
          receiptId: instalment.receiptId ?? '',
          positionId: position.id,
          amountCents: instalment.paidAmountCents ?? instalment.amountCents,
          paidAt: instalment.paidAt ?? ctx.now,
          positionStatus: position.status as PositionStatus,
        }),
      ),
    );
  }

  @Query(() => PaymentReceiptType, {
    nullable: true,
    description:
      'The payment recorded for a notice (null while unpaid): the payer, their apps with "tributi", tributi staff. ' +
      'The gateway resolves paymentReceived events through it.',
  })
  async paymentReceipt(
    @Arg('noticeNumber', () => GraphQLNoticeNumber, { description: 'The 18-digit pagoPA notice number.' })
    noticeNumber: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentReceiptType | null> {
    requireAuthenticated(ctx.principal);
    const instalment = await ctx.em.findOne(InstalmentEntity, { noticeNumber });
    if (instalment === null) return null;
    const position = await ctx.em.findOneOrFail(PaymentPositionEntity, { id: instalment.positionId });
    await authorisePaymentRead(ctx, position.payerFiscalCode, `PaymentReceipt:${noticeNumber}`);
    if (instalment.status !== 'paid' || instalment.paidAt == null) return null;
    return toReceiptType({
      noticeNumber,
      receiptId: instalment.receiptId ?? '',
      positionId: position.id,
      amountCents: instalment.paidAmountCents ?? instalment.amountCents,
      paidAt: instalment.paidAt,
      positionStatus: position.status as PositionStatus,
    });
  }

  @Mutation(() => PaymentPositionType, {
    description: 'Tributi staff: creates a position with one pagoPA notice per instalment.',
  })
  async createPaymentPosition(
    @Arg('input', () => NewPaymentPositionInput, { description: 'The position to create.' })
    input: NewPaymentPositionInput,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentPositionType> {
    const actor = requireTributiStaff(ctx);
    if (!PAYMENT_KINDS.includes(input.kind as PaymentKind))
      throw invalidInput([{ field: 'kind', message: 'unknown kind' }]);
    const position: NewPosition = {
      kind: input.kind as PaymentKind,
      year: input.year,
      description: input.description,
      payerFiscalCode: input.payerFiscalCode,
      amountCents: input.amountCents,
      dueDates: input.dueDates,
      externalRef: input.externalRef ?? null,
      fine: input.fine ?? null,
    };
    const violations = positionViolations(position, ctx.settings.fineRules);
    if (violations.length > 0) throw invalidInput(violations);
    if (
      position.externalRef &&
      (await ctx.em.count(PaymentPositionEntity, { externalRef: position.externalRef })) > 0
    ) {
      throw new ConflictError(`A position with reference ${position.externalRef} already exists`, {
        reason: 'DUPLICATE_REFERENCE',
      });
    }
    const [created] = await ctx.em.transactional((tx) =>
      createPositions(tx, [position], {
        comune: ctx.comune,
        actor,
        createdBy: `staff:${actor.id}`,
        now: ctx.now,
        fineRules: ctx.settings.fineRules,
      }),
    );
    if (created === undefined) throw new Error('createPositions returned nothing for one position');
    const [view] = await viewPositions(ctx, [created.position]);
    if (view === undefined) throw new Error('created position vanished');
    return view;
  }

  @Mutation(() => PaymentPositionType, {
    description: 'Tributi staff: cancels a position; its unpaid notices can no longer be paid.',
  })
  async cancelPaymentPosition(
    @Arg('id', () => ID, { description: 'Id of the position.' }) id: string,
    @Arg('reason', () => String, {
      nullable: true,
      description: 'Why it is cancelled; kept with the position.',
    })
    reason: string | null,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentPositionType> {
    const actor = requireTributiStaff(ctx);
    const position = await cancelPosition(ctx.em, id, reason, {
      actor,
      cancelledBy: `staff:${actor.id}`,
      now: ctx.now,
      lockRows: ctx.settings.lockRows,
    });
    const [view] = await viewPositions(ctx, [position]);
    if (view === undefined) throw positionNotFound(id);
    return view;
  }

  @Mutation(() => PaymentReceiptType, {
    description:
      'Payment providers only (a `service` token of a configured provider, or a configured API client): ' +
      'records that a notice was paid. Idempotent per receipt id.',
  })
  async recordPaymentReceipt(
    @Arg('input', () => PaymentReceiptInput, { description: 'The provider’s receipt.' })
    input: PaymentReceiptInput,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentReceiptType> {
    requireAuthenticated(ctx.principal);
    const from = paymentProviderOf(ctx.principal, ctx.settings.providers);
    if (from === null) {
      throw new ForbiddenError('Only a configured payment provider can record payment receipts.', {
        reason: 'PAYMENT_PROVIDER_REQUIRED',
      });
    }
    const receipt = await recordPaymentReceipt(ctx.em, ctx.comune, input, {
      from,
      actor: { kind: 'system', id: from },
      fineRules: ctx.settings.fineRules,
      now: ctx.now,
      lockRows: ctx.settings.lockRows,
    });
    return toReceiptType(receipt);
  }

  @Subscription(() => PaymentReceiptType, {
    description:
      'Tributi staff (and a payer, for their own notices): every payment as it is recorded. Served by the gateway ' +
      'from `payment.received` events, each resolved through paymentReceipt(noticeNumber).',
    subscribe: () => {
      throw new ConflictError(
        'Subscribe through the gateway: this subgraph does not serve subscriptions itself',
      );
    },
  })
  paymentReceived(@Root() receipt: PaymentReceiptType): PaymentReceiptType {
    return receipt;
  }
}

/** Federation: `PaymentPosition { id }` from another subgraph, authorised like paymentPosition. */
export async function resolvePaymentPositionReference(
  reference: { id: string },
  ctx: TributiContext,
): Promise<PaymentPositionType | null> {
  return readablePosition(ctx, await ctx.em.findOne(PaymentPositionEntity, { id: reference.id }));
}
