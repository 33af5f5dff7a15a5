import { ConflictError } from '@sportello/platform';
import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import { PracticeType } from './practice.type.js';

/**
 * The subscriptions are declared here so the supergraph has them, but the gateway serves them from
 * the bus: a client that reaches this subgraph directly is told where to go.
 */
function servedByGateway(): never {
  throw new ConflictError(
    'Subscribe through the gateway: this subgraph does not serve subscriptions itself',
    {
      reason: 'SERVED_BY_GATEWAY',
    },
  );
}

@Resolver(() => PracticeType)
export class PracticeSubscriptionResolver {
  @Subscription(() => PracticeType, {
    description:
      'Staff of `office`: every practice of that office as it is submitted or changes state (drafts excluded). ' +
      'Served by the gateway from `practice.status-changed` events, each resolved through practice(id) with the ' +
      'subscriber’s token; other callers are refused with FORBIDDEN.',
    subscribe: servedByGateway,
  })
  practiceChanged(
    @Arg('office', { description: 'The office whose practices to follow, e.g. `practices` or `suap`.' })
    _office: string,
    @Root() practice: PracticeType,
  ): PracticeType {
    return practice;
  }

  @Subscription(() => PracticeType, {
    description:
      'A citizen (or an app with the `practices` scope acting for them): their practices and those of the people ' +
      'they act for, at every change of state. Served by the gateway from practice events, each resolved through ' +
      'practice(id).',
    subscribe: servedByGateway,
  })
  myPracticeChanged(@Root() practice: PracticeType): PracticeType {
    return practice;
  }
}
