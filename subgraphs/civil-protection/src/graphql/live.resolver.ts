import { registerGraphQLEnum, servedByGateway } from '@sportello/platform';
import { Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import { AlertType } from './alert.type.js';

/** What happened to an alert. */
export const AlertUpdateKind = registerGraphQLEnum(['ISSUED', 'UPDATED', 'CANCELLED', 'EXPIRED'], {
  name: 'AlertUpdateKind',
  description: 'What happened to an alert.',
  values: {
    ISSUED: 'The comune issued it.',
    UPDATED: 'Its colour, zones, phase or validity changed.',
    CANCELLED: 'Staff withdrew it before its end: the all-clear.',
    EXPIRED: 'It reached the end of its validity.',
  },
});
export type AlertUpdateKind = (typeof AlertUpdateKind)[keyof typeof AlertUpdateKind];

@ObjectType('AlertUpdate', {
  description:
    'One change of an alert, as a live subscription delivers it: what happened (from the event), and the alert ' +
    'as it is when the update is sent.',
})
export class AlertUpdateType {
  @Field(() => ID, {
    description: 'Id of the event: every change is delivered once, in the same order to every subscriber.',
  })
  eventId!: string;

  @Field(() => AlertUpdateKind, { description: 'What happened.' })
  kind!: AlertUpdateKind;

  @Field(() => Date, { description: 'When it happened.' })
  at!: Date;

  @Field(() => AlertType, { nullable: true, description: 'The alert as it is now.' })
  alert!: AlertType | null;
}
import { OrdinanceType } from './ordinance.type.js';

@Resolver()
export class LiveResolver {
  @Subscription(() => AlertUpdateType, {
    description:
      'Public: every change of the comune’s alerts, once each and in order: issued, updated, cancelled (the ' +
      'all-clear), expired. Served by the gateway from the alert events; `alert` is resolved through alert(id). ' +
      'Anonymous subscribers name their comune with `x-comune` (connection header or parameter `comune`).',
    subscribe: servedByGateway,
  })
  alertChanged(@Root() change: AlertUpdateType): AlertUpdateType {
    return change;
  }

  @Subscription(() => OrdinanceType, {
    description:
      'Public: every ordinance of the comune as it is published on the Albo Pretorio. Served by the gateway from ' +
      '`ordinance.published` events, each resolved through ordinance(id).',
    subscribe: servedByGateway,
  })
  ordinancePublished(@Root() ordinance: OrdinanceType): OrdinanceType {
    return ordinance;
  }
}
