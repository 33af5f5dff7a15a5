import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { TributiContext } from '../context.js';
import { searchPositions } from '../domain/search.js';
import type { PositionStatus } from '../domain/vocabulary.js';
import { authorisePaymentRead } from './access.js';
import { PaymentStatusEnum } from './enums.js';
import { CitizenType } from './citizen.type.js';
import { PaymentPositionConnectionType } from './payment-position.type.js';
import { viewPositions } from './positions-view.js';

@Resolver(() => CitizenType)
export class CitizenResolver {
  @FieldResolver(() => PaymentPositionConnectionType, {
    nullable: true,
    description:
      'Payment positions of this citizen, newest first. Requires: self, delegate, app with "tributi", tributi ' +
      'staff (audited). Null with a FORBIDDEN error for anyone else: the rest of the answer stands.',
  })
  async paymentPositions(
    @Root() citizen: CitizenType,
    @Arg('status', () => PaymentStatusEnum, {
      nullable: true,
      description: 'Only positions in this status; all when omitted.',
    })
    status: string | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many positions to return, 1 to 200.' })
    first: number,
    @Arg('after', () => String, {
      nullable: true,
      description: 'Cursor: pageInfo.endCursor of the previous page; omit for the first page.',
    })
    after: string | null,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentPositionConnectionType | null> {
    await authorisePaymentRead(ctx, citizen.fiscalCode, 'Citizen.paymentPositions');
    const page = await searchPositions(
      ctx.em,
      { payerFiscalCode: citizen.fiscalCode, status: status as PositionStatus | null },
      { first, after },
    );
    return Object.assign(new PaymentPositionConnectionType(), {
      nodes: await viewPositions(ctx, page.rows),
      pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
      totalCount: page.totalCount,
    });
  }
}

/** Federation: the gateway hands `Citizen { fiscalCode }`; the fields are authorised one by one. */
export function resolveCitizenReference(reference: { fiscalCode: string }): CitizenType {
  return Object.assign(new CitizenType(), { fiscalCode: reference.fiscalCode });
}
