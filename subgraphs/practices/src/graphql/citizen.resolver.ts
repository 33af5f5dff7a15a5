import {
  ConnectionArgs,
  assertCanRead,
  auditPersonalDataRead,
  findConnection,
  type Connection,
  type Office,
} from '@sportello/platform';
import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PRACTICES_SCOPE } from '../domain/access.js';
import { PracticeEntity } from '../entities/practice.entity.js';
import type { PracticesContext } from '../context.js';
import { toPracticeType } from './practice.mapper.js';
import { CitizenType, PracticeConnectionType, type PracticeType } from './practice.type.js';

/** Offices whose staff may list a citizen's practices (each sees only its own office's). */
const PRACTICE_OFFICES: readonly Office[] = ['practices', 'suap', 'anagrafe', 'tributi'];

/** `__resolveReference` of Citizen: practices adds fields only, so any key resolves. */
export function resolveCitizenReference(reference: { fiscalCode: string }): CitizenType {
  return Object.assign(new CitizenType(), { fiscalCode: reference.fiscalCode.toUpperCase() });
}

@Resolver(() => CitizenType)
export class CitizenResolver {
  @FieldResolver(() => PracticeConnectionType, {
    nullable: true,
    description:
      'Practices this citizen filed or that were filed for them, newest first. For the citizen, whoever ' +
      'acts for them, apps with the `practices` scope; staff see their own offices’ practices (audited). ' +
      'Null with a FORBIDDEN error for anyone else: the rest of the answer stands.',
  })
  async practices(
    @Root() citizen: CitizenType,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: PracticesContext,
  ): Promise<Connection<PracticeType> | null> {
    const principal = ctx.principal;
    assertCanRead(principal, citizen.fiscalCode, { scope: PRACTICES_SCOPE, office: PRACTICE_OFFICES });
    const code = citizen.fiscalCode.toUpperCase();
    const page = await findConnection(
      ctx.em,
      PracticeEntity,
      {
        $or: [{ applicantFiscalCode: code }, { onBehalfOfFiscalCode: code }],
        ...(principal.kind === 'staff' ? { office: { $in: principal.offices } } : {}),
      },
      // Newest first: ids are UUIDv7, time-ordered and unique.
      { order: [['id', 'desc']], first, after, toNode: (row) => toPracticeType(row, principal) },
    );
    if (page.nodes.length > 0) {
      await auditPersonalDataRead(ctx, code, { action: 'read', resource: 'Citizen.practices' });
    }
    return page;
  }
}
