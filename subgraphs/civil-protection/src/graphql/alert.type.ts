import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { AlertColourEnum, AlertStatusEnum, HazardEnum, OperationalPhaseEnum } from './enums.js';

@ObjectType('AlertZone', {
  description: 'A zone of the comune used to address alerts; residences in anagrafe carry the same code.',
})
export class AlertZoneType {
  @Field({ description: 'Code of the zone, as used in alerts and residences.' })
  code!: string;

  @Field({ description: 'Name of the zone.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The regional alert zone (one of the national 133) this zone falls in.',
  })
  regionalAlertZone!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType('Alert', { description: 'A civil protection alert of the comune. Public.' })
export class AlertType {
  @Field(() => ID, { description: 'Identifier of the alert.' })
  id!: string;

  @Field(() => HazardEnum, { description: 'The risk the alert is about.' })
  hazard!: string;

  @Field(() => AlertColourEnum, { description: 'Severity of the alert.' })
  colour!: string;

  @Field(() => AlertStatusEnum, { description: 'Whether the alert is active, expired or cancelled.' })
  status!: string;

  @Field({ description: 'True for RED alerts: they reach every resident of the zones at once.' })
  critical!: boolean;

  @Field({ description: 'Whether the validity window has started (and the alert is active).' })
  inEffect!: boolean;

  @Field({ description: 'The alert concerns the whole comune rather than some zones.' })
  wholeComune!: boolean;

  @Field(() => [String], { description: 'The zone codes named by the alert; empty when wholeComune.' })
  zoneCodes!: string[];

  @Field({ description: 'When the alert starts to apply.' })
  validFrom!: Date;

  @Field({ description: 'When the alert stops applying.' })
  validUntil!: Date;

  @Field(() => OperationalPhaseEnum, {
    nullable: true,
    description: 'The comune’s operational phase declared with the alert; null when none was declared.',
  })
  phase!: string | null;

  @Field({
    description: 'The given headline, or the standard title (e.g. "Allerta rossa per rischio idraulico").',
  })
  headline!: string;

  @Field({ description: 'What people must do.' })
  instructions!: string;

  @Field(() => String, { nullable: true, description: 'The regional bulletin the alert follows.' })
  bulletinReference!: string | null;

  @Field({ description: 'When the alert was issued.' })
  issuedAt!: Date;

  @Field({ description: 'When the alert last changed.' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When staff withdrew the alert; null unless cancelled.' })
  cancelledAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the alert was withdrawn; null unless cancelled.' })
  cancelReason!: string | null;

  @Field({ description: 'Path of the alert as a CAP 1.2 document on this service.' })
  capPath!: string;
}

@ObjectType('AlertAudience', {
  description:
    'The zones whose residents must hear of an alert. The notifier pages anagrafe residents by these ' +
    'zone codes; when wholeComune is true it pages every resident of the comune instead.',
})
export class AlertAudienceType {
  @Field(() => ID, { description: 'The alert.' })
  alertId!: string;

  @Field({ description: 'True when every resident of the comune must hear of the alert.' })
  wholeComune!: boolean;

  @Field(() => [String], { description: 'Sorted zone codes; for the whole comune, every zone it has.' })
  zoneCodes!: string[];
}
