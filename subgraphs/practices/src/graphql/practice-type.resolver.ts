import { sql, type FilterQuery } from '@mikro-orm/core';
import {
  ConnectionArgs,
  OFFICES,
  findConnection,
  type Connection,
  type KeysetOrder,
} from '@sportello/platform';
import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import {
  PracticeTypeEntity,
  type PracticeType as PracticeTypeRow,
} from '../entities/practice-type.entity.js';
import { invalidInput } from '../errors.js';
import type { PracticesContext } from '../context.js';
import { toPracticeTypeType } from './practice.mapper.js';
import { PracticeTypeConnectionType, PracticeTypeType } from './practice-type.type.js';

/** By code: unique, and what people look a type up by. */
const PRACTICE_TYPE_ORDER: KeysetOrder = [['code', 'asc']];

@Resolver(() => PracticeTypeType)
export class PracticeTypeResolver {
  @Query(() => PracticeTypeConnectionType, {
    description: 'The practice types of the comune, by code, paginated and filterable. Public.',
  })
  async practiceTypes(
    @Ctx() ctx: PracticesContext,
    @Arg('office', () => String, { nullable: true, description: 'Only this office’s types.' })
    office: string | null,
    @Arg('search', () => String, { nullable: true, description: 'Words in the code or title.' })
    search: string | null,
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
  ): Promise<Connection<PracticeTypeType>> {
    if (office != null && !(OFFICES as readonly string[]).includes(office)) {
      throw invalidInput([{ field: 'office', message: `must be one of ${OFFICES.join(', ')}` }]);
    }
    const where: FilterQuery<PracticeTypeRow> = { active: true };
    if (office != null) where.office = office;
    const words = (search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 5);
    if (words.length > 0) {
      where.$and = words.map((word) => {
        // lower() on both sides: case-insensitive on SQLite and PostgreSQL alike.
        const like = `%${word.replace(/[%_\\]/g, '').toLowerCase()}%`;
        return { $or: [{ [sql.lower('title')]: { $like: like } }, { [sql.lower('code')]: { $like: like } }] };
      });
    }
    return findConnection(ctx.em, PracticeTypeEntity, where, {
      order: PRACTICE_TYPE_ORDER,
      first,
      after,
      toNode: toPracticeTypeType,
    });
  }

  @Query(() => PracticeTypeType, { nullable: true, description: 'One practice type by code. Public.' })
  async practiceType(
    @Ctx() ctx: PracticesContext,
    @Arg('code', { description: 'Code of the practice type.' }) code: string,
  ): Promise<PracticeTypeType | null> {
    const row = await ctx.em.findOne(PracticeTypeEntity, { code, active: true });
    return row === null ? null : toPracticeTypeType(row);
  }
}
