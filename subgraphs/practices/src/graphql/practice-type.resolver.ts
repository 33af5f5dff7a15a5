import { sql, type FilterQuery } from '@mikro-orm/core';
import { OFFICES } from '@sportello/platform';
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import {
  PracticeTypeEntity,
  type PracticeType as PracticeTypeRow,
} from '../entities/practice-type.entity.js';
import { invalidInput } from '../errors.js';
import type { PracticesContext } from '../context.js';
import { decodeCursor, pageInfo, pageSize } from './connection.js';
import { toPracticeTypeType } from './practice.mapper.js';
import { PracticeTypeConnectionType, PracticeTypeType } from './practice-type.type.js';

@Resolver(() => PracticeTypeType)
export class PracticeTypeResolver {
  @Query(() => PracticeTypeConnectionType, {
    description: 'The practice types of the comune, by code, paginated and filterable. Public.',
  })
  async practiceTypes(
    @Ctx() ctx: PracticesContext,
    @Arg('office', () => String, { nullable: true, description: 'Only this office’s types.' })
    office?: string | null,
    @Arg('search', () => String, { nullable: true, description: 'Words in the code or title.' })
    search?: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'At most 100. @default 20' })
    first?: number | null,
    @Arg('after', () => String, {
      nullable: true,
      description: 'Cursor: pageInfo.endCursor of the previous page; omit for the first page.',
    })
    after?: string | null,
  ): Promise<PracticeTypeConnectionType> {
    const size = pageSize(first);
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
    const total = await ctx.em.count(PracticeTypeEntity, where);
    const cursor = decodeCursor(after);
    const rows = await ctx.em.find(
      PracticeTypeEntity,
      cursor === null ? where : { $and: [where, { code: { $gt: cursor } }] },
      { orderBy: { code: 'asc' }, limit: size + 1 },
    );
    return Object.assign(new PracticeTypeConnectionType(), {
      nodes: rows.slice(0, size).map(toPracticeTypeType),
      totalCount: total,
      pageInfo: pageInfo(rows, size, (i) => rows[i]!.code),
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
