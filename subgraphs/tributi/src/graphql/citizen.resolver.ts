import { ConnectionArgs, withNodes, type Connection } from '@sportello/platform';
import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { TributiContext } from '../context.js';
import { searchPositions } from '../domain/search.js';
import type { PositionStatus } from '../domain/vocabulary.js';
import { authorisePaymentRead } from '../domain/access.js';
import { PaymentStatusEnum } from './enums.js';
import { CitizenType } from './citizen.type.js';
import { PaymentPositionConnectionType, type PaymentPositionType } from './payment-position.type.js';
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
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: TributiContext,
  ): Promise<Connection<PaymentPositionType> | null> {
    await authorisePaymentRead(ctx, citizen.fiscalCode, 'Citizen.paymentPositions');
    const page = await searchPositions(
      ctx.em,
      { payerFiscalCode: citizen.fiscalCode, status: status as PositionStatus | null },
      { first, after },
    );
    return withNodes(page, await viewPositions(ctx, page.nodes));
  }
}

/** Federation: the gateway hands `Citizen { fiscalCode }`; the fields are authorised one by one. */
export function resolveCitizenReference(reference: { fiscalCode: string }): CitizenType {
  return Object.assign(new CitizenType(), { fiscalCode: reference.fiscalCode });
}
