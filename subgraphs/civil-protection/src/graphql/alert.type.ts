import { connectionType } from '@sportello/platform';
import { GraphQLJSONObject } from 'graphql-scalars';
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
    description: 'The regional alert zone (one of the national 133, e.g. "Piem-M") this zone falls in.',
  })
  regionalAlertZone!: string | null;

  @Field(() => String, { nullable: true, description: 'What the zone covers, in words.' })
  description!: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Its shape as a GeoJSON geometry (RFC 7946: Polygon or MultiPolygon, [longitude, latitude], ' +
      'exterior rings counterclockwise); null until imported. All zones at once: AlertZoneCollection.url.',
  })
  geometry!: Record<string, unknown> | null;
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

  @Field({
    description:
      'Whether everyone reached hears when the alert is over (an end notice at validUntil), as staff asked.',
  })
  announceExpiry!: boolean;

  @Field({
    description:
      'Path and query of the alert’s latest message as a CAP 1.2 document on the public origin; see capUrl.',
    deprecationReason: 'Use capUrl, the same document as an absolute URL.',
  })
  capPath!: string;

  @Field({
    description:
      'The alert’s latest message (Alert, Update or Cancel) as a CAP 1.2 document: an absolute URL on the public origin.',
  })
  capUrl!: string;

  @Field({ description: 'The alert’s page on the comune’s portal: an absolute URL on the public origin.' })
  pageUrl!: string;
}

@ObjectType('OpenDataFeed', {
  description:
    'A feed of the comune’s civil-protection open data, public and cacheable (ETag, Cache-Control).',
})
export class OpenDataFeedType {
  @Field({ description: 'What the feed holds.' })
  title!: string;

  @Field({ description: 'Absolute URL on the public origin.' })
  url!: string;

  @Field({ description: 'Media type, e.g. application/atom+xml or application/geo+json.' })
  mediaType!: string;
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

export const AlertConnectionType = connectionType(AlertType, 'Alert', 'alerts');
