import type { PaymentKind } from '@sportello/schema';
import type { FilterQuery } from '@mikro-orm/core';
import {
  servedByGateway,
  ConnectionArgs,
  NotFoundError,
  connectionFromRows,
  decodeCursor,
  keysetCondition,
  keysetOrderBy,
  pageSize,
  requireStaff,
  type Connection,
  type KeysetOrder,
} from '@sportello/platform';
import { Arg, Args, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TributiContext } from '../context.js';
import { requireTributiStaff } from '../domain/access.js';
import { cancelBulkJob, queueBulkJob, retryBulkJob } from '../domain/bulk-jobs.js';
import { TRIBUTI_OFFICE } from '../domain/vocabulary.js';
import { BulkJobEntity, type BulkJob } from '../entities/bulk-job.entity.js';
import { toBulkJobType } from './payment-position.mapper.js';
import { NewPaymentBulkJobInput } from './payment-position.input.js';
import { PaymentBulkJobConnectionType, PaymentBulkJobType } from './payment-position.type.js';

/** Newest first: job ids are UUID v7, time-ordered and unique. */
const BULK_JOB_ORDER: KeysetOrder = [['id', 'desc']];

@Resolver(() => PaymentBulkJobType)
export class BulkJobResolver {
  @Mutation(() => PaymentBulkJobType, {
    description:
      'Tributi staff: queues a bulk creation (e.g. TARI for every household). The whole input is checked first; ' +
      'positions are then created in batches in the background. Follow it with paymentBulkJob(id). ' +
      'Sent again with the same idempotencyKey, it returns the job already queued.',
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

  @Mutation(() => PaymentBulkJobType, {
    description:
      'Tributi staff: stops a queued, running or failed job. No position is created for the items left (nobody ' +
      'is notified of them); the positions already created stay. CONFLICT when it completed or was cancelled.',
  })
  async cancelPaymentBulkJob(
    @Arg('id', () => ID, { description: 'Id of the job.' }) id: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentBulkJobType> {
    const actor = requireTributiStaff(ctx);
    return toBulkJobType(await cancelBulkJob(ctx.em, id, { comune: ctx.comune, now: ctx.now, actor }));
  }

  @Mutation(() => PaymentBulkJobType, {
    description:
      'Tributi staff: queues a failed job again; it resumes after the last position created (none is created ' +
      'twice). CONFLICT unless the job FAILED.',
  })
  async retryPaymentBulkJob(
    @Arg('id', () => ID, { description: 'Id of the job.' }) id: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentBulkJobType> {
    const actor = requireTributiStaff(ctx);
    const job = await retryBulkJob(ctx.em, id, { comune: ctx.comune, now: ctx.now, actor });
    ctx.bulkJobs.kick();
    return toBulkJobType(job);
  }

  @Query(() => PaymentBulkJobType, { description: 'Tributi staff: a bulk job and its progress.' })
  async paymentBulkJob(
    @Arg('id', () => ID, { description: 'Id of the job.' }) id: string,
    @Ctx() ctx: TributiContext,
  ): Promise<PaymentBulkJobType> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const job = await ctx.em.findOne(BulkJobEntity, { id });
    if (job === null) throw new NotFoundError(`No bulk job with id ${id}`);
    return toBulkJobType(job);
  }

  @Query(() => PaymentBulkJobConnectionType, {
    description: 'Tributi staff: the latest bulk jobs, newest first.',
  })
  async paymentBulkJobs(
    @Args(() => ConnectionArgs) { first, after }: ConnectionArgs,
    @Ctx() ctx: TributiContext,
  ): Promise<Connection<PaymentBulkJobType>> {
    requireStaff(ctx.principal, TRIBUTI_OFFICE);
    const size = pageSize(first);
    const key = decodeCursor(after, BULK_JOB_ORDER.length);
    const where: FilterQuery<BulkJob> = key === null ? {} : keysetCondition(BULK_JOB_ORDER, key);
    const [jobs, totalCount] = await Promise.all([
      ctx.em.find(BulkJobEntity, where, { orderBy: keysetOrderBy(BULK_JOB_ORDER), limit: size + 1 }),
      ctx.em.count(BulkJobEntity, {}),
    ]);
    return connectionFromRows(jobs, {
      size,
      after: key,
      totalCount,
      keyOf: (job) => [job.id],
      toNode: (job) => toBulkJobType(job),
    });
  }

  @Subscription(() => PaymentBulkJobType, {
    description:
      'Tributi staff: a bulk job as it moves on (its counts after batches, at most about once a second, and its ' +
      'end, failure, cancellation or retry); every job of the comune without `id`. Served by the gateway from `payment.bulk-job-changed` events, each ' +
      'resolved through paymentBulkJob(id).',
    subscribe: servedByGateway,
  })
  paymentBulkJobChanged(
    @Root() job: PaymentBulkJobType,
    @Arg('id', () => ID, { nullable: true, description: 'Only this job (every job when absent).' })
    _id?: string | null,
  ): PaymentBulkJobType {
    return job;
  }
}
