import {
  ConnectionArgs,
  NotFoundError,
  connectionFromArray,
  withNodes,
  type Connection,
} from '@sportello/platform';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { findAlert } from '../domain/alert-operations.js';
import {
  correctionsOf,
  createOrdinanceDraft,
  findOrdinance,
  listOrdinances,
  publishOrdinance,
  updateOrdinanceDraft,
} from '../domain/ordinance-operations.js';
import {
  attachOrdinanceDocument,
  documentsOf,
  removeOrdinanceDocument,
} from '../domain/ordinance-documents.js';
import type { CivilProtectionContext } from '../context.js';
import { isCivilProtectionStaff, requireCivilProtectionStaff } from '../domain/access.js';
import { OrdinanceEntity } from '../entities/ordinance.entity.js';
import { toAlertType } from './alert.mapper.js';
import { AlertType } from './alert.type.js';
import { OrdinanceDocumentInput, OrdinanceDraftInput } from './ordinance.input.js';
import { toOrdinanceDocumentType, toOrdinanceType } from './ordinance.mapper.js';
import { OrdinanceConnectionType, OrdinanceDocumentType, OrdinanceType } from './ordinance.type.js';

/** `__resolveReference` of Ordinance: published ones for everybody, drafts for staff. */
export async function resolveOrdinanceReference(
  reference: { id: string },
  ctx: CivilProtectionContext,
): Promise<OrdinanceType | null> {
  try {
    return toOrdinanceType(
      await findOrdinance(ctx.em, reference.id, isCivilProtectionStaff(ctx.principal)),
      ctx.now,
    );
  } catch (error) {
    // An entity reference the caller may not see resolves to null, as federation expects.
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

@Resolver(() => OrdinanceType)
export class OrdinanceResolver {
  @Query(() => OrdinanceConnectionType, {
    description: 'Published ordinances, newest first. Civil-protection staff may include drafts.',
  })
  async ordinances(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('year', () => Int, { nullable: true, description: 'Only ordinances of this register year.' })
    year: number | null,
    @Arg('inForce', () => Boolean, {
      nullable: true,
      description: 'Only those in force (true) or not (false).',
    })
    inForce: boolean | null,
    @Arg('includeDrafts', () => Boolean, { defaultValue: false, description: 'Staff only.' })
    includeDrafts: boolean,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
  ): Promise<Connection<OrdinanceType>> {
    if (includeDrafts) requireCivilProtectionStaff(ctx);
    // Newest first, as read; the id keys the cursor.
    const page = connectionFromArray(
      await listOrdinances(ctx.em, { year, inForce, includeDrafts }, ctx.now),
      args,
      (row) => [row.id],
    );
    return withNodes(
      page,
      page.nodes.map((row) => toOrdinanceType(row, ctx.now)),
    );
  }

  @Query(() => OrdinanceType, {
    description: 'One ordinance; NOT_FOUND for a draft unless the caller is civil-protection staff.',
  })
  async ordinance(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the ordinance.' }) id: string,
  ): Promise<OrdinanceType> {
    return toOrdinanceType(await findOrdinance(ctx.em, id, isCivilProtectionStaff(ctx.principal)), ctx.now);
  }

  @FieldResolver(() => AlertType, { nullable: true, description: 'The alert the ordinance follows.' })
  async alert(
    @Root() ordinance: OrdinanceType,
    @Ctx() ctx: CivilProtectionContext,
  ): Promise<AlertType | null> {
    if (ordinance.alertId === null) return null;
    const alert = await findAlert(ctx.em, ordinance.alertId);
    return alert === null ? null : toAlertType(alert, ctx.now, ctx.publicUrl);
  }

  @FieldResolver(() => OrdinanceType, { nullable: true, description: 'The ordinance this one corrects.' })
  async corrects(
    @Root() ordinance: OrdinanceType,
    @Ctx() ctx: CivilProtectionContext,
  ): Promise<OrdinanceType | null> {
    if (ordinance.correctsId === null) return null;
    const corrected = await ctx.em.findOne(OrdinanceEntity, { id: ordinance.correctsId });
    return corrected === null ? null : toOrdinanceType(corrected, ctx.now);
  }

  @FieldResolver(() => [OrdinanceType], { description: 'Published ordinances that correct this one.' })
  async correctedBy(
    @Root() ordinance: OrdinanceType,
    @Ctx() ctx: CivilProtectionContext,
  ): Promise<OrdinanceType[]> {
    return (await correctionsOf(ctx.em, ordinance.id)).map((row) => toOrdinanceType(row, ctx.now));
  }

  @FieldResolver(() => [OrdinanceDocumentType], {
    description: 'Its documents (the signed act as PDF, annexes), in order.',
  })
  async documents(
    @Root() ordinance: OrdinanceType,
    @Ctx() ctx: CivilProtectionContext,
  ): Promise<OrdinanceDocumentType[]> {
    const published = ordinance.status === 'published';
    return (await documentsOf(ctx.em, ordinance.id)).map((document) =>
      toOrdinanceDocumentType(document, published, ctx.publicUrl),
    );
  }

  @Mutation(() => OrdinanceDocumentType, {
    description:
      'Attaches a PDF to a draft ordinance (published with it, fingerprinted with SHA-256). CONFLICT for a ' +
      'published ordinance. Civil-protection staff only.',
  })
  async attachOrdinanceDocument(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('ordinanceId', () => ID, { description: 'Id of the draft.' }) ordinanceId: string,
    @Arg('input', () => OrdinanceDocumentInput, { description: 'The document.' })
    input: OrdinanceDocumentInput,
  ): Promise<OrdinanceDocumentType> {
    const actor = requireCivilProtectionStaff(ctx);
    const { document } = await attachOrdinanceDocument(
      ctx.em,
      ctx.principal.comune,
      ordinanceId,
      actor,
      { title: input.title, fileName: input.fileName, contentBase64: input.contentBase64 },
      ctx.now,
    );
    return toOrdinanceDocumentType(document, false, ctx.publicUrl);
  }

  @Mutation(() => OrdinanceType, {
    description: 'Removes a document from a draft ordinance. Civil-protection staff only.',
  })
  async removeOrdinanceDocument(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the document.' }) id: string,
  ): Promise<OrdinanceType> {
    requireCivilProtectionStaff(ctx);
    return toOrdinanceType(await removeOrdinanceDocument(ctx.em, id, ctx.now), ctx.now);
  }

  @Mutation(() => OrdinanceType, { description: 'Creates a draft ordinance. Civil-protection staff only.' })
  async createOrdinanceDraft(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('input', () => OrdinanceDraftInput, { description: 'The draft text.' }) input: OrdinanceDraftInput,
  ): Promise<OrdinanceType> {
    const actor = requireCivilProtectionStaff(ctx);
    return toOrdinanceType(
      await createOrdinanceDraft(ctx.em, ctx.principal.comune, actor, input, ctx.now),
      ctx.now,
    );
  }

  @Mutation(() => OrdinanceType, {
    description: 'Rewrites a draft. CONFLICT for a published ordinance. Civil-protection staff only.',
  })
  async updateOrdinanceDraft(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the draft.' }) id: string,
    @Arg('input', () => OrdinanceDraftInput, { description: 'The whole new draft text.' })
    input: OrdinanceDraftInput,
  ): Promise<OrdinanceType> {
    requireCivilProtectionStaff(ctx);
    return toOrdinanceType(await updateOrdinanceDraft(ctx.em, id, input, ctx.now), ctx.now);
  }

  @Mutation(() => OrdinanceType, {
    description:
      'Publishes a draft: assigns its number, makes it public and immutable. Civil-protection staff only.',
  })
  async publishOrdinance(
    @Ctx() ctx: CivilProtectionContext,
    @Arg('id', () => ID, { description: 'Id of the draft to publish.' }) id: string,
  ): Promise<OrdinanceType> {
    const actor = requireCivilProtectionStaff(ctx);
    return toOrdinanceType(await publishOrdinance(ctx.em, id, actor, ctx.now, ctx.publicUrl), ctx.now);
  }
}
