import { connectionType } from '@sportello/platform';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { EmergencyAreaKindEnum } from './enums.js';

@Directive('@key(fields: "id")')
@ObjectType('EmergencyArea', { description: 'An area of the comune’s civil protection plan. Public.' })
export class EmergencyAreaType {
  @Field(() => ID, { description: 'Identifier of the area.' })
  id!: string;

  @Field({ description: 'The plan’s code of the area.' })
  code!: string;

  @Field({ description: 'Name of the area, e.g. the square or the sports ground.' })
  name!: string;

  @Field(() => EmergencyAreaKindEnum, { description: 'What the area is for.' })
  kind!: string;

  @Field(() => Float, { description: 'WGS84 decimal degrees.' })
  latitude!: number;

  @Field(() => Float, { description: 'WGS84 decimal degrees.' })
  longitude!: number;

  @Field(() => Int, { nullable: true, description: 'People it can hold.' })
  capacity!: number | null;

  @Field(() => String, { nullable: true, description: 'Street address; null when the area has none.' })
  address!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Zone of the comune the area lies in; null when in none.',
  })
  zoneCode!: string | null;
}

@ObjectType('NearbyEmergencyArea', { description: 'An emergency area and its distance from a point.' })
export class NearbyEmergencyAreaType {
  @Field(() => EmergencyAreaType, { description: 'The area.' })
  area!: EmergencyAreaType;

  @Field(() => Int, { description: 'Great-circle distance from the given point, in metres.' })
  distanceMeters!: number;
}

@ObjectType('EmergencyNumber', { description: 'A telephone number to call in an emergency.' })
export class EmergencyNumberType {
  @Field({ description: 'The number to dial.' })
  number!: string;

  @Field({ description: 'What the number is for.' })
  label!: string;

  @Field({ description: 'A national number (112, 113, 115, 118) rather than the comune’s own.' })
  national!: boolean;
}

export const EmergencyAreaConnectionType = connectionType(
  EmergencyAreaType,
  'EmergencyArea',
  'emergency areas',
);
