import type { FilterQuery } from '@mikro-orm/core';
import {
  ConnectionArgs,
  ForbiddenError,
  findConnection,
  requireAuthenticated,
  requireStaff,
  scopeRequired,
  type Connection,
  type IsoDate,
  type KeysetOrder,
} from '@sportello/platform';
import { residenceChangeNotFound } from '../errors.js';
import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, ANAGRAFE_OFFICE, type AnagrafeContext } from '../context.js';
import { citizenOf, mayRead, requireCitizenOf } from '../domain/access.js';
import { lastOverdueDeclarationDay, type ResidenceChangeAction } from '../domain/residence-change.js';
import {
  changeResidenceStatus,
  declareResidenceChange,
  replyToResidenceChangeObstacles,
} from '../domain/residence-change-operations.js';
import { ResidenceChangeEntity, type ResidenceChange } from '../entities/residence-change.entity.js';
import { ResidenceDeclarationInput } from './inputs.input.js';
import { toResidenceChangeType } from './residence-change.mapper.js';
import { ResidenceChangeConnectionType, ResidenceChangeType } from './residence-change.type.js';

/** Oldest declaration first (the 45-day clock runs from declaredOn); the id breaks ties. */
const OPEN_ORDER: KeysetOrder = [
  ['declaredOn', 'asc'],
  ['id', 'asc'],
];

/**
 * The open declarations, all or only those whose registration is (or is not) overdue on `today`,
 * as one condition the database pages by: overdue ones are still declared and made on or before
 * the last day whose term is over.
 */
function openResidenceChangesWhere(
  overdue: boolean | null | undefined,
  today: IsoDate,
): FilterQuery<ResidenceChange> {
  if (overdue === undefined || overdue === null) {
    return { status: { $in: ['declared', 'registered', 'obstacles-notified'] } };
  }
  const lastOverdue = lastOverdueDeclarationDay(today);
  if (overdue) return { status: 'declared', declaredOn: { $lte: lastOverdue } };
  return {
    $or: [
      { status: { $in: ['registered', 'obstacles-notified'] } },
      { status: 'declared', declaredOn: { $gt: lastOverdue } },
    ],
  };
}

@Resolver(() => ResidenceChangeType)
export class ResidenceChangeResolver {
  @Query(() => ResidenceChangeType, {
    nullable: true,
    description: 'A declaration, for the people moving (and those acting for them) and anagrafe staff.',
  })
  async residenceChange(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
  ): Promise<ResidenceChangeType | null> {
    requireAuthenticated(ctx.principal);
    const change = /^[0-9a-f-]{36}$/i.test(id) ? await ctx.em.findOne(ResidenceChangeEntity, { id }) : null;
    if (change === null) throw residenceChangeNotFound(id);
    for (const mover of change.movers) {
      if (await mayRead(ctx, mover.fiscalCode, 'residenceChanges'))
        return toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl);
    }
    throw residenceChangeNotFound(id);
  }

  @Query(() => ResidenceChangeConnectionType, {
    description:
      'Anagrafe staff: declarations without outcome, oldest first (the 45-day clock runs from declaredOn). With `overdue: true`, only those still to be registered after their 2-working-day term (`registrationDueBy`).',
  })
  async openResidenceChanges(
    @Ctx() ctx: AnagrafeContext,
    @Arg('overdue', () => Boolean, {
      nullable: true,
      description: 'true: only declarations whose registration is overdue; false: only the others.',
    })
    overdue: boolean | null | undefined,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<ResidenceChangeType>> {
    requireStaff(ctx.principal, ANAGRAFE_OFFICE);
    return findConnection(ctx.em, ResidenceChangeEntity, openResidenceChangesWhere(overdue, ctx.today), {
      order: OPEN_ORDER,
      first,
      after,
      toNode: (change) => toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl),
    });
  }

  @Mutation(() => ResidenceChangeType, {
    description:
      'A resident declares a new address within the comune, for themselves and family members moving with them.',
  })
  async declareResidenceChange(
    @Ctx() ctx: AnagrafeContext,
    @Arg('input', () => ResidenceDeclarationInput, { description: 'The new address and who moves.' })
    input: ResidenceDeclarationInput,
  ): Promise<ResidenceChangeType> {
    requireAuthenticated(ctx.principal);
    const applicant = requireCitizenOf(
      ctx.principal,
      'Only the citizen who moves declares a change of residence.',
    );
    const change = await declareResidenceChange(
      ctx.em,
      applicant,
      input,
      await actorOf(ctx),
      ctx.today,
      ctx.now,
    );
    return toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl);
  }

  @Mutation(() => ResidenceChangeType, {
    description:
      'Anagrafe staff: registers a declaration; the address changes now, effective from the declaration.',
  })
  registerResidenceChange(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
  ) {
    return this.staffMove(ctx, id, 'register');
  }

  @Mutation(() => ResidenceChangeType, {
    description:
      'Anagrafe staff: notifies the obstacles found by the checks; the citizen has 10 days to answer.',
  })
  notifyResidenceChangeObstacles(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
    @Arg('note', { description: 'The obstacles found, as the citizen will read them.' }) note: string,
  ) {
    return this.staffMove(ctx, id, 'notifyObstacles', note);
  }

  @Mutation(() => ResidenceChangeType, {
    description: 'Anagrafe staff: confirms the change after the checks.',
  })
  acceptResidenceChange(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
    @Arg('note', () => String, { nullable: true, description: 'Optional note kept in the history.' })
    note?: string | null,
  ) {
    return this.staffMove(ctx, id, 'accept', note);
  }

  @Mutation(() => ResidenceChangeType, {
    description:
      'Anagrafe staff: rejects the change after the reply period; the previous addresses are restored.',
  })
  rejectResidenceChange(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
    @Arg('note', { description: 'Why the change is rejected, as the citizen will read it.' }) note: string,
  ) {
    return this.staffMove(ctx, id, 'reject', note);
  }

  @Mutation(() => ResidenceChangeType, {
    description:
      'The applicant withdraws a declaration not yet decided. Before registration nothing had changed; a registered declaration is cancelled and every mover gets back their previous address, family and residence date.',
  })
  async withdrawResidenceChange(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
  ) {
    requireAuthenticated(ctx.principal);
    const applicant = citizenOf(ctx.principal);
    if (applicant === null && ctx.principal.kind === 'client' && ctx.principal.onBehalfOf !== undefined)
      throw scopeRequired('anagrafe');
    if (applicant === null)
      throw new ForbiddenError('Only the applicant can withdraw a declaration.', { reason: 'NOT_APPLICANT' });
    const change = await changeResidenceStatus(
      ctx.em,
      id,
      'withdraw',
      await actorOf(ctx),
      ctx.today,
      ctx.now,
      null,
      {
        applicantFiscalCode: applicant,
      },
    );
    return toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl);
  }

  @Mutation(() => ResidenceChangeType, {
    description:
      'The applicant answers the notice of obstacles with their comments and any documents, within 10 days of it (`replyDueOn`); the office reads the reply before deciding. Each document is first uploaded as the raw body of `POST /residence-change-documents?residenceChangeId=<id>&filename=<name>` (PDF, PNG or JPEG; 10 per declaration) and then named in `documentIds`.',
  })
  async replyToResidenceChangeObstacles(
    @Ctx() ctx: AnagrafeContext,
    @Arg('id', () => ID, { description: 'Id of the declaration.' }) id: string,
    @Arg('text', { description: 'The answer: comments on the obstacles (up to 4000 characters).' })
    text: string,
    @Arg('documentIds', () => [ID], {
      nullable: true,
      description:
        'Documents uploaded for this reply (the `document.id` the upload answered), sent with it; none by default.',
    })
    documentIds?: string[] | null,
  ): Promise<ResidenceChangeType> {
    requireAuthenticated(ctx.principal);
    const applicant = citizenOf(ctx.principal);
    if (applicant === null && ctx.principal.kind === 'client' && ctx.principal.onBehalfOf !== undefined)
      throw scopeRequired('anagrafe');
    if (applicant === null)
      throw new ForbiddenError('Only the applicant can answer the notice of obstacles.', {
        reason: 'NOT_APPLICANT',
      });
    const change = await replyToResidenceChangeObstacles(
      ctx.em,
      id,
      applicant,
      text,
      await actorOf(ctx),
      ctx.today,
      ctx.now,
      documentIds ?? [],
    );
    return toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl);
  }

  private async staffMove(
    ctx: AnagrafeContext,
    id: string,
    action: ResidenceChangeAction,
    note?: string | null,
  ): Promise<ResidenceChangeType> {
    requireStaff(ctx.principal, ANAGRAFE_OFFICE);
    const change = await changeResidenceStatus(
      ctx.em,
      id,
      action,
      await actorOf(ctx),
      ctx.today,
      ctx.now,
      note,
    );
    return toResidenceChangeType(change, ctx.today, ctx.settings.publicUrl);
  }
}
