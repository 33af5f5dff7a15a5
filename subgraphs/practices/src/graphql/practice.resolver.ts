import type { FilterQuery } from '@mikro-orm/core';
import {
  BadUserInputError,
  ConnectionArgs,
  NotFoundError,
  OFFICES,
  connectionFromRows,
  decodeCursor,
  findConnection,
  pageSize,
  requireStaff,
  type Connection,
  type KeysetOrder,
  type Office,
} from '@sportello/platform';
import { PRACTICE_STATUSES, type PracticeStatus } from '@sportello/schema';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { removeAttachment } from '../domain/attachments.js';
import { canSeePractice, citizenActor, peopleOf, requireCitizen } from '../domain/access.js';
import {
  answerIntegration,
  citizenPractice,
  createDraft,
  exemptFee,
  pagoPaFee,
  postMessage,
  requestIntegration,
  requestPayment,
  saveData,
  staffAction,
  submit,
  withdraw,
  type StaffAction,
} from '../domain/practice-operations.js';
import { AttachmentEntity } from '../entities/attachment.entity.js';
import { PracticeEntity, type Practice } from '../entities/practice.entity.js';
import { invalidInput } from '../errors.js';
import type { PracticesContext } from '../context.js';
import { auditPractice, officePractice, viewerId, visiblePractice } from './visible-practice.js';
import { PracticeActionEnum, PracticeStatusEnum, QueueOrderEnum } from './enums.js';
import { CreatePracticeDraftInput } from './practice.input.js';
import {
  toAttachmentType,
  toChangeType,
  toIntegrationRequestType,
  toMessageType,
  toPracticeType,
  toPracticeTypeType,
} from './practice.mapper.js';
import {
  AttachmentType,
  CitizenType,
  IntegrationRequestType,
  PracticeChangeType,
  PracticeConnectionType,
  PracticeFeePaymentType,
  PracticeMessageType,
  PracticeStatusCountType,
  PracticeType,
} from './practice.type.js';
import { PracticeTypeType } from './practice-type.type.js';

/** `__resolveReference` of Practice: the practice when the caller may see it, else null. */
export async function resolvePracticeReference(
  reference: { id: string },
  ctx: PracticesContext,
): Promise<PracticeType | null> {
  // Through the loader: the gateway asks for many references in one `_entities` call.
  const practice = await ctx.loaders.practice.load(reference.id);
  if (practice === null || !canSeePractice(ctx.principal, practice)) return null;
  await auditPractice(ctx, practice);
  return toPracticeType(practice, ctx.principal);
}

function checkOffice(office: string): Office {
  if (!(OFFICES as readonly string[]).includes(office)) {
    throw invalidInput([{ field: 'office', message: `must be one of ${OFFICES.join(', ')}` }]);
  }
  return office as Office;
}

/** Newest first: ids are UUIDv7, time-ordered and unique. */
const NEWEST_FIRST: KeysetOrder = [['id', 'desc']];

/**
 * A `practiceQueue` cursor is its order and the practice id: a cursor of the other order would
 * silently page from the wrong end.
 * @throws BadUserInputError when the cursor belongs to the other order
 */
function queueCursor(after: string | null | undefined, order: 'oldest' | 'newest'): string | null {
  const key = decodeCursor(after, 2);
  if (key === null) return null;
  if (key[0] === order && typeof key[1] === 'string') return key[1];
  if (key[0] !== 'oldest' && key[0] !== 'newest') {
    throw new BadUserInputError('after is not a cursor of this list', { field: 'after' });
  }
  const other = key[0] === 'oldest' ? 'OLDEST_FIRST' : 'NEWEST_FIRST';
  throw new BadUserInputError(`after is a cursor of the ${other} order: ask for the same order`, {
    field: 'after',
  });
}

@Resolver(() => PracticeType)
export class PracticeResolver {
  @Query(() => PracticeType, {
    description:
      'One practice, for its applicant, the person it is for (and their delegates) and staff of its office.',
  })
  async practice(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
  ): Promise<PracticeType> {
    return toPracticeType(await visiblePractice(ctx, id), ctx.principal);
  }

  @Query(() => PracticeConnectionType, {
    description: 'The caller’s practices and those of the people they act for, newest first.',
  })
  async myPractices(
    @Ctx() ctx: PracticesContext,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<PracticeType>> {
    const people = peopleOf(requireCitizen(ctx.principal));
    return findConnection(
      ctx.em,
      PracticeEntity,
      { $or: [{ applicantFiscalCode: { $in: people } }, { onBehalfOfFiscalCode: { $in: people } }] },
      { order: NEWEST_FIRST, first, after, toNode: (row) => toPracticeType(row, ctx.principal) },
    );
  }

  @Query(() => PracticeConnectionType, {
    description:
      'An office’s practices, oldest first unless `order` says otherwise, optionally of one status. ' +
      'Staff of that office only; every practice returned is recorded in the audit log.',
  })
  async practiceQueue(
    @Ctx() ctx: PracticesContext,
    @Arg('office', { description: 'The office whose practices to list, e.g. `practices` or `suap`.' })
    office: string,
    @Arg('status', () => PracticeStatusEnum, {
      nullable: true,
      description: 'Only practices in this status.',
    })
    status: string | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Arg('order', () => QueueOrderEnum, {
      nullable: true,
      description:
        'Which end the list starts from; page with cursors of the same order. @default OLDEST_FIRST',
    })
    order?: string | null,
  ): Promise<Connection<PracticeType>> {
    requireStaff(ctx.principal, checkOffice(office));
    const size = pageSize(first);
    const end = order === 'newest-first' ? 'newest' : 'oldest';
    const cursor = queueCursor(after, end);
    const where: FilterQuery<Practice> = { office };
    if (status != null) where.status = status as PracticeStatus;
    else where.status = { $ne: 'draft' };
    // Ids are time-ordered (UUIDv7): submission order, and a stable key for the cursor.
    const paged: FilterQuery<Practice> =
      cursor === null
        ? where
        : { $and: [where, { id: end === 'newest' ? { $lt: cursor } : { $gt: cursor } }] };
    const [rows, totalCount] = await Promise.all([
      ctx.em.find(PracticeEntity, paged, {
        orderBy: { id: end === 'newest' ? 'desc' : 'asc' },
        limit: size + 1,
      }),
      ctx.em.count(PracticeEntity, where),
    ]);
    for (const row of rows.slice(0, size)) await auditPractice(ctx, row);
    return connectionFromRows(rows, {
      size,
      after: cursor,
      totalCount,
      keyOf: (row) => [end, row.id],
      toNode: (row) => toPracticeType(row, ctx.principal),
    });
  }

  @Query(() => [PracticeStatusCountType], {
    description:
      'How many practices of an office are in each status (drafts excluded). Staff of that office only.',
  })
  async practiceCounts(
    @Ctx() ctx: PracticesContext,
    @Arg('office', { description: 'The office whose practices to count.' }) office: string,
  ): Promise<PracticeStatusCountType[]> {
    requireStaff(ctx.principal, checkOffice(office));
    const rows = (await ctx.em.execute(
      "select status, count(*) as count from practice where comune = ? and office = ? and status <> 'draft' group by status",
      [ctx.comune, office],
    )) as Array<{ status: string; count: number | string }>;
    const counts = new Map(rows.map((row) => [row.status, Number(row.count)]));
    return PRACTICE_STATUSES.filter((s) => s !== 'draft').map((s) =>
      Object.assign(new PracticeStatusCountType(), { status: s, count: counts.get(s) ?? 0 }),
    );
  }

  @FieldResolver(() => PracticeTypeType, {
    nullable: true,
    description: 'The practice type; null if the type was removed from the catalogue.',
  })
  async type(@Root() practice: PracticeType, @Ctx() ctx: PracticesContext): Promise<PracticeTypeType | null> {
    const row = await ctx.loaders.practiceType.load(practice.typeCode);
    return row === null ? null : toPracticeTypeType(row);
  }

  @FieldResolver(() => CitizenType, {
    description:
      'The citizen who filed it, as a Citizen entity: identity adds their name, tributi their payment positions, ' +
      'each under its own rules. Visible to whoever sees the practice.',
  })
  applicant(@Root() practice: PracticeType): CitizenType {
    return Object.assign(new CitizenType(), { fiscalCode: practice.applicantFiscalCode });
  }

  @FieldResolver(() => [PracticeActionEnum], {
    description:
      'What the caller may do now (REQUEST_PAYMENT only for a practice with a pagoPA fee not exempted; ' +
      'SUBMIT of a draft not before its fee is paid when the type asks for it at the citizen’s request).',
  })
  async availableActions(@Root() practice: PracticeType, @Ctx() ctx: PracticesContext): Promise<string[]> {
    const type = await ctx.loaders.practiceType.load(practice.typeCode);
    const fee = type === null ? null : pagoPaFee(type);
    const row = fee === null ? null : await ctx.loaders.fee.load(practice.id);
    const owed = fee !== null && row?.status !== 'exempt' && row?.status !== 'paid';
    return practice.availableActions.filter((action) => {
      switch (action) {
        case 'request-payment':
        case 'exempt-fee':
        case 'waive-payment':
          return owed;
        case 'submit':
          return !(owed && practice.status === 'draft' && fee?.requestedOn === 'request');
        default:
          return true;
      }
    });
  }

  @FieldResolver(() => PracticeFeePaymentType, {
    nullable: true,
    description:
      'The pagoPA fee of the practice: amount, notice number and due date once tributi made the notice, ' +
      'whether it is paid, or the exemption. Null when its type charges no pagoPA fee.',
  })
  async fee(
    @Root() practice: PracticeType,
    @Ctx() ctx: PracticesContext,
  ): Promise<PracticeFeePaymentType | null> {
    const type = await ctx.loaders.practiceType.load(practice.typeCode);
    const fee = type === null ? null : pagoPaFee(type);
    const row = await ctx.loaders.fee.load(practice.id);
    if (fee === null && row === null) return null;
    return Object.assign(new PracticeFeePaymentType(), {
      amountCents: row?.amountCents ?? fee?.amountCents ?? 0,
      status: row?.status ?? 'not-requested',
      noticeNumber: row?.noticeNumber ?? null,
      dueDate: row?.noticeNumber == null ? null : (row.dueDate ?? null),
      requestedAt: row?.requestedAt ?? null,
      paidAt: row?.paidAt ?? null,
      exemptionReason: row?.exemptionReason ?? null,
    });
  }

  @FieldResolver(() => [PracticeChangeType], { description: 'Every change of state, oldest first.' })
  async timeline(
    @Root() practice: PracticeType,
    @Ctx() ctx: PracticesContext,
  ): Promise<PracticeChangeType[]> {
    // Both asked at once, so every practice of a list joins the same two batches.
    const [rows, me] = await Promise.all([ctx.loaders.timeline.load(practice.id), viewerId(ctx)]);
    return rows.map((row) => toChangeType(row, me));
  }

  @FieldResolver(() => [PracticeMessageType], {
    description: 'Messages between citizen and office, oldest first.',
  })
  async messages(
    @Root() practice: PracticeType,
    @Ctx() ctx: PracticesContext,
  ): Promise<PracticeMessageType[]> {
    const [rows, me] = await Promise.all([ctx.loaders.messages.load(practice.id), viewerId(ctx)]);
    return rows.map((row) => toMessageType(row, me));
  }

  @FieldResolver(() => [AttachmentType], {
    description: 'Files of the citizen and of the office, oldest first.',
  })
  async attachments(@Root() practice: PracticeType, @Ctx() ctx: PracticesContext): Promise<AttachmentType[]> {
    return (await ctx.loaders.attachments.load(practice.id)).map(toAttachmentType);
  }

  @FieldResolver(() => [IntegrationRequestType], {
    description: 'The office’s requests for more documents, oldest first.',
  })
  async integrationRequests(
    @Root() practice: PracticeType,
    @Ctx() ctx: PracticesContext,
  ): Promise<IntegrationRequestType[]> {
    return (await ctx.loaders.integrationRequests.load(practice.id)).map(toIntegrationRequestType);
  }

  // Citizen side.

  @Mutation(() => PracticeType, {
    description: 'Opens a draft practice of a type, for yourself or someone you act for.',
  })
  async createPracticeDraft(
    @Ctx() ctx: PracticesContext,
    @Arg('input', () => CreatePracticeDraftInput, {
      description: 'The type, for whom, and initial form data.',
    })
    input: CreatePracticeDraftInput,
  ): Promise<PracticeType> {
    const caller = requireCitizen(ctx.principal);
    return toPracticeType(await createDraft(ctx.em, ctx.comune, caller, input, ctx.now), ctx.principal);
  }

  @Mutation(() => PracticeType, {
    description:
      'Replaces the form data of a draft (or of a practice awaiting integration). Checked against the ' +
      'type’s schema (required fields are checked on submission): BAD_USER_INPUT with extensions.field = ' +
      'JSON pointer of the bad field; the saved data is then left as it was.',
  })
  async savePracticeData(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('data', () => GraphQLJSONObject, { description: 'The whole form data; replaces what was saved.' })
    data: Record<string, unknown>,
  ): Promise<PracticeType> {
    const caller = requireCitizen(ctx.principal);
    return toPracticeType(await saveData(ctx.em, caller, id, data, ctx.now), ctx.principal);
  }

  @Mutation(() => PracticeType, {
    description:
      'Submits a draft: complete form and required attachments are checked, then it is registered with ' +
      'the next protocol number of the comune and year. A type with a pagoPA fee charged on submission ' +
      'waits for payment instead (PAYMENT_PENDING, see fee) and is registered once the receipt arrives; ' +
      'one whose fee the citizen asks for first (requestPracticePayment) is CONFLICT PAYMENT_REQUIRED ' +
      'until paid. A fee staff exempted the practice from is not charged.',
  })
  async submitPractice(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
  ): Promise<PracticeType> {
    const caller = requireCitizen(ctx.principal);
    return toPracticeType(await submit(ctx.em, ctx.comune, caller, id, ctx.now), ctx.principal);
  }

  @Mutation(() => PracticeType, {
    description:
      'Asks for the pagoPA notice of the practice’s fee before submitting it (complete form and required ' +
      'attachments are checked as for a submission). The practice waits in PAYMENT_PENDING; tributi makes ' +
      'the notice (see fee, and the payment notification); once paid it is PAYMENT_SUCCEEDED, ready to submit. ' +
      'CONFLICT NO_FEE for a practice without a pagoPA fee, FEE_EXEMPT for an exempted one.',
  })
  async requestPracticePayment(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
  ): Promise<PracticeType> {
    const caller = requireCitizen(ctx.principal);
    return toPracticeType(await requestPayment(ctx.em, ctx.comune, caller, id, ctx.now), ctx.principal);
  }

  @Mutation(() => PracticeType, { description: 'Withdraws a practice that is not yet decided.' })
  async withdrawPractice(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why it is withdrawn, if stated.' })
    reason?: string | null,
  ): Promise<PracticeType> {
    const caller = requireCitizen(ctx.principal);
    return toPracticeType(await withdraw(ctx.em, ctx.comune, caller, id, reason, ctx.now), ctx.principal);
  }

  @Mutation(() => PracticeType, {
    description:
      'Answers the office’s integration request (after updating the data and attachments); the practice ' +
      'is resubmitted and registered again with a new protocol number.',
  })
  async answerPracticeIntegration(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('answer', { description: 'The answer to the office’s request.' }) answer: string,
  ): Promise<PracticeType> {
    const caller = requireCitizen(ctx.principal);
    return toPracticeType(
      await answerIntegration(ctx.em, ctx.comune, caller, id, answer, ctx.now),
      ctx.principal,
    );
  }

  @Mutation(() => Boolean, {
    description:
      'Removes an attachment from a practice while its form can still change (draft, awaiting integration).',
  })
  async removePracticeAttachment(
    @Ctx() ctx: PracticesContext,
    @Arg('attachmentId', () => ID, { description: 'Id of the attachment.' }) attachmentId: string,
  ): Promise<boolean> {
    const caller = requireCitizen(ctx.principal);
    const attachment = /^[0-9a-f-]{36}$/i.test(attachmentId)
      ? await ctx.em.findOne(AttachmentEntity, { id: attachmentId })
      : null;
    if (attachment === null || attachment.practiceId == null) {
      throw new NotFoundError(`No attachment with id ${attachmentId}`);
    }
    const practice = await citizenPractice(ctx.em, caller, attachment.practiceId);
    await removeAttachment(ctx.em, practice, attachment);
    return true;
  }

  @Mutation(() => PracticeMessageType, {
    description: 'Posts a message on a practice: by the citizen concerned or by staff of its office.',
  })
  async postPracticeMessage(
    @Ctx() ctx: PracticesContext,
    @Arg('practiceId', () => ID, { description: 'Id of the practice.' }) practiceId: string,
    @Arg('body', { description: 'The text of the message.' }) body: string,
  ): Promise<PracticeMessageType> {
    if (ctx.principal.kind === 'staff') {
      const { practice, actor } = await officePractice(ctx, practiceId);
      return toMessageType(await postMessage(ctx.em, practice, 'staff', actor, body, ctx.now), actor.id);
    }
    const caller = requireCitizen(ctx.principal);
    const practice = await citizenPractice(ctx.em, caller, practiceId);
    const actor = await citizenActor(ctx.em, ctx.comune, caller);
    return toMessageType(await postMessage(ctx.em, practice, 'citizen', actor, body, ctx.now), actor.id);
  }

  // Staff side.

  @Mutation(() => PracticeType, {
    description: 'Takes a registered practice in charge. Staff of its office.',
  })
  async takePracticeInCharge(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('note', () => String, { nullable: true, description: 'Note kept in the timeline, if any.' })
    note?: string | null,
  ): Promise<PracticeType> {
    return this.staffStep(ctx, id, 'take-in-charge', note);
  }

  @Mutation(() => PracticeType, {
    description: 'Asks the applicant for more documents or information. Staff of its office.',
  })
  async requestPracticeIntegration(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('message', { description: 'What the office asks for, as the citizen will read it.' })
    message: string,
    @Arg('respondBy', () => String, { nullable: true, description: 'Deadline, YYYY-MM-DD.' })
    respondBy?: string | null,
  ): Promise<PracticeType> {
    const { practice, actor } = await officePractice(ctx, id);
    return toPracticeType(
      await requestIntegration(ctx.em, practice, actor, message, respondBy, ctx.now),
      ctx.principal,
    );
  }

  @Mutation(() => PracticeType, {
    description: 'Starts processing a practice taken in charge. Staff of its office.',
  })
  async startPracticeProcessing(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('note', () => String, { nullable: true, description: 'Note kept in the timeline, if any.' })
    note?: string | null,
  ): Promise<PracticeType> {
    return this.staffStep(ctx, id, 'start-processing', note);
  }

  @Mutation(() => PracticeType, { description: 'Accepts a practice in processing. Staff of its office.' })
  async acceptPractice(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Reason of the acceptance, if stated.' })
    reason?: string | null,
  ): Promise<PracticeType> {
    return this.staffStep(ctx, id, 'accept', reason);
  }

  @Mutation(() => PracticeType, {
    description: 'Rejects a practice, with the reason the citizen reads. Staff of its office.',
  })
  async rejectPractice(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('reason', { description: 'Why it is rejected, as the citizen will read it.' }) reason: string,
  ): Promise<PracticeType> {
    return this.staffStep(ctx, id, 'reject', reason);
  }

  @Mutation(() => PracticeType, {
    description:
      'Exempts a practice from its pagoPA fee, with the reason (shown to the citizen). Staff of its office. ' +
      'A draft may then be submitted unpaid; a practice waiting for payment counts as paid (registered at ' +
      'once when its type charges on submission) and its notice is cancelled. CONFLICT NO_FEE, FEE_EXEMPT, ' +
      'ALREADY_PAID, or past the payment states.',
  })
  async exemptPracticeFee(
    @Ctx() ctx: PracticesContext,
    @Arg('id', () => ID, { description: 'Id of the practice.' }) id: string,
    @Arg('reason', {
      description: 'Why the practice pays no fee (the rule or document), as the citizen reads it.',
    })
    reason: string,
  ): Promise<PracticeType> {
    const { practice, actor } = await officePractice(ctx, id);
    return toPracticeType(await exemptFee(ctx.em, practice, actor, reason, ctx.now), ctx.principal);
  }

  private async staffStep(
    ctx: PracticesContext,
    id: string,
    action: StaffAction,
    note: string | null | undefined,
  ): Promise<PracticeType> {
    const { practice, actor } = await officePractice(ctx, id);
    return toPracticeType(await staffAction(ctx.em, practice, action, actor, note, ctx.now), ctx.principal);
  }
}
