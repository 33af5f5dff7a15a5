import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { EmergencyAreaKindEnum } from './enums.js';

@Directive('@key(fields: "id")')
@ObjectType('EmergencyArea', { description: 'An area of the comune’s civil protection plan. Public.' })
export class EmergencyAreaType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The plan’s code of the area.' })
  code!: string;

  @Field()
  name!: string;

  @Field(() => EmergencyAreaKindEnum)
  kind!: string;

  @Field(() => Float, { description: 'WGS84 decimal degrees.' })
  latitude!: number;

  @Field(() => Float, { description: 'WGS84 decimal degrees.' })
  longitude!: number;

  @Field(() => Int, { nullable: true, description: 'People it can hold.' })
  capacity!: number | null;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => String, { nullable: true })
  zoneCode!: string | null;
}

@ObjectType('NearbyEmergencyArea')
export class NearbyEmergencyAreaType {
  @Field(() => EmergencyAreaType)
  area!: EmergencyAreaType;

  @Field(() => Int, { description: 'Great-circle distance from the given point, in metres.' })
  distanceMeters!: number;
}

@ObjectType('EmergencyNumber')
export class EmergencyNumberType {
  @Field()
  number!: string;

  @Field()
  label!: string;

  @Field({ description: 'A national number (112, 113, 115, 118) rather than the comune’s own.' })
  national!: boolean;
}
