import { servedByGateway } from '@sportello/platform';
import { Arg, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { PracticeStatusEnum } from './enums.js';
import { PracticeType } from './practice.type.js';

@ObjectType('PracticeUpdate', {
  description:
    'One change of state of a practice, as a live subscription delivers it: what happened (from the event), ' +
    'and the practice as it is when the update is sent.',
})
export class PracticeUpdateType {
  @Field(() => ID, {
    description: 'Id of the event: every change is delivered once, in the same order to every subscriber.',
  })
  eventId!: string;

  @Field(() => PracticeStatusEnum, {
    nullable: true,
    description: 'The state before; null for a new practice.',
  })
  from!: string | null;

  @Field(() => PracticeStatusEnum, { description: 'The state after.' })
  to!: string;

  @Field(() => Date, { description: 'When it changed.' })
  at!: Date;

  @Field(() => PracticeType, {
    nullable: true,
    description: 'The practice as it is now; null if the subscriber can no longer read it.',
  })
  practice!: PracticeType | null;
}

@Resolver(() => PracticeUpdateType)
export class PracticeSubscriptionResolver {
  @Subscription(() => PracticeUpdateType, {
    description:
      'Staff of `office`: every change of state of that office’s practices (drafts excluded), once each, with the ' +
      'states before and after. Served by the gateway from `practice.status-changed` events; `practice` is ' +
      'resolved through practice(id) with the subscriber’s token; other callers are refused with FORBIDDEN.',
    subscribe: servedByGateway,
  })
  practiceChanged(
    @Arg('office', { description: 'The office whose practices to follow, e.g. `practices` or `suap`.' })
    _office: string,
    @Root() change: PracticeUpdateType,
  ): PracticeUpdateType {
    return change;
  }

  @Subscription(() => PracticeUpdateType, {
    description:
      'A citizen (or an app with the `practices` scope acting for them): every change of state of their practices ' +
      'and of those of the people they act for, once each. Served by the gateway from practice events; ' +
      '`practice` is resolved through practice(id).',
    subscribe: servedByGateway,
  })
  myPracticeChanged(@Root() change: PracticeUpdateType): PracticeUpdateType {
    return change;
  }
}
