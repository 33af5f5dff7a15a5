import type { PaymentKind } from '@sportello/schema';
import { NotFoundError, requireStaff } from '@sportello/platform';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { requireTributiStaff, type TributiContext } from '../context.js';
import { queueBulkJob } from '../domain/bulk-jobs.js';
import { TRIBUTI_OFFICE } from '../domain/vocabulary.js';
import { BulkJobEntity } from '../entities/bulk-job.entity.js';
import { toBulkJobType } from './payment-position.mapper.js';
import { NewPaymentBulkJobInput } from './payment-position.input.js';
import { PaymentBulkJobType } from './payment-position.type.js';

@Resolver(() => PaymentBulkJobType)
export class BulkJobResolver {
  @Mutation(() => PaymentBulkJobType, {
    description:
      'Tributi staff: queues a bulk creation (e.g. TARI for every household). The whole input is checked first; ' +
      'positions are then created in batches in the background. Follow it with paymentBulkJob(id).',
  })
  async startPaymentBulkJob(
    @Arg('input', () => NewPaymentBulkJobInput, { description: 'The positions to create.' })
    input: NewPaymentBulkJobInput,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentBulkJobType> {
    const actor = requireTributiStaff(ctx);
    await ctx.creditor();
    const job = await queueBulkJob(
      ctx.em,
      { ...input, kind: input.kind as PaymentKind },
      { comune: ctx.comune, createdBy: `staff:${actor.id}`, now: ctx.now, fineRules: ctx.settings.fineRules },
    );
    ctx.bulkJobs.kick();
    return toBulkJobType(job);
  }

  @Query(() => PaymentBulkJobType, { description: 'Tributi staff: a bulk job and its progress.' })
  async paymentBulkJob(
    @Arg('id', () => ID, { description: 'Id of the job.' }) id: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentBulkJobType> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const job = await ctx.em.findOne(BulkJobEntity, { id }, { exclude: ['items'] });
    if (job === null) throw new NotFoundError(`No bulk job with id ${id}`);
    return toBulkJobType(job);
  }

  @Query(() => [PaymentBulkJobType], { description: 'Tributi staff: the latest bulk jobs, newest first.' })
  async paymentBulkJobs(
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many jobs to return, at most 100.' })
    first: number,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentBulkJobType[]> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const jobs = await ctx.em.find(
      BulkJobEntity,
      {},
      { orderBy: { id: 'desc' }, limit: Math.min(Math.max(first, 1), 100), exclude: ['items'] },
    );
    return jobs.map((job) => toBulkJobType(job));
  }
}
