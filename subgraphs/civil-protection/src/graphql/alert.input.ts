import { Field, InputType } from 'type-graphql';
import type { AlertColour, Hazard, OperationalPhase } from '../domain/alert.js';
import { AlertColourEnum, HazardEnum, OperationalPhaseEnum } from './enums.js';

@InputType('IssueAlertInput', { description: 'A new alert.' })
export class IssueAlertInput {
  @Field(() => HazardEnum, { description: 'The risk the alert is about.' })
  hazard!: Hazard;

  @Field(() => AlertColourEnum, { description: 'Severity of the alert.' })
  colour!: AlertColour;

  @Field(() => [String], { nullable: true, description: 'Zone codes of the comune; omit with wholeComune.' })
  zoneCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'The alert concerns the whole comune.' })
  wholeComune?: boolean | null;

  @Field({ description: 'When the alert starts to apply.' })
  validFrom!: Date;

  @Field({ description: 'When the alert stops applying; after validFrom.' })
  validUntil!: Date;

  @Field(() => OperationalPhaseEnum, {
    nullable: true,
    description: 'Defaults to the minimum the colour requires.',
  })
  phase?: OperationalPhase | null;

  @Field(() => String, {
    nullable: true,
    description: 'A short title; the standard title for hazard and colour when omitted.',
  })
  headline?: string | null;

  @Field({ description: 'What people must do.' })
  instructions!: string;

  @Field(() => String, { nullable: true, description: 'The regional bulletin the alert follows.' })
  bulletinReference?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Tell everyone reached when the alert is over (an end notice at validUntil). Default false.',
  })
  announceExpiry?: boolean | null;
}

@InputType('UpdateAlertInput', {
  description: 'Only the fields given change. Naming zoneCodes replaces the area.',
})
export class UpdateAlertInput {
  @Field(() => HazardEnum, { nullable: true, description: 'New risk.' })
  hazard?: Hazard | null;

  @Field(() => AlertColourEnum, { nullable: true, description: 'New severity.' })
  colour?: AlertColour | null;

  @Field(() => [String], { nullable: true, description: 'New zone codes of the comune; replaces the area.' })
  zoneCodes?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'True to extend the alert to the whole comune.' })
  wholeComune?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'New start of validity.' })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'New end of validity.' })
  validUntil?: Date | null;

  @Field(() => OperationalPhaseEnum, { nullable: true, description: 'New operational phase.' })
  phase?: OperationalPhase | null;

  @Field(() => String, { nullable: true, description: 'New title.' })
  headline?: string | null;

  @Field(() => String, { nullable: true, description: 'New instructions.' })
  instructions?: string | null;

  @Field(() => String, { nullable: true, description: 'New bulletin reference.' })
  bulletinReference?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether to announce the end of the alert.' })
  announceExpiry?: boolean | null;
}
