import { Field, InputType } from 'type-graphql';
import type { AlertColour, Hazard, OperationalPhase } from '../domain/alert.js';
import { AlertColourEnum, HazardEnum, OperationalPhaseEnum } from './enums.js';

@InputType('IssueAlertInput')
export class IssueAlertInput {
  @Field(() => HazardEnum)
  hazard!: Hazard;

  @Field(() => AlertColourEnum)
  colour!: AlertColour;

  @Field(() => [String], { nullable: true, description: 'Zone codes of the comune; omit with wholeComune.' })
  zoneCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'The alert concerns the whole comune.' })
  wholeComune?: boolean | null;

  @Field()
  validFrom!: Date;

  @Field()
  validUntil!: Date;

  @Field(() => OperationalPhaseEnum, {
    nullable: true,
    description: 'Defaults to the minimum the colour requires.',
  })
  phase?: OperationalPhase | null;

  @Field(() => String, { nullable: true })
  headline?: string | null;

  @Field()
  instructions!: string;

  @Field(() => String, { nullable: true })
  bulletinReference?: string | null;
}

@InputType('UpdateAlertInput', {
  description: 'Only the fields given change. Naming zoneCodes replaces the area.',
})
export class UpdateAlertInput {
  @Field(() => HazardEnum, { nullable: true })
  hazard?: Hazard | null;

  @Field(() => AlertColourEnum, { nullable: true })
  colour?: AlertColour | null;

  @Field(() => [String], { nullable: true })
  zoneCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true })
  wholeComune?: boolean | null;

  @Field(() => Date, { nullable: true })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true })
  validUntil?: Date | null;

  @Field(() => OperationalPhaseEnum, { nullable: true })
  phase?: OperationalPhase | null;

  @Field(() => String, { nullable: true })
  headline?: string | null;

  @Field(() => String, { nullable: true })
  instructions?: string | null;

  @Field(() => String, { nullable: true })
  bulletinReference?: string | null;
}
