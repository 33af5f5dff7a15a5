import { Field, ObjectType } from 'type-graphql';
import { OfficeEnum } from './enums.js';

@ObjectType('StaffMember')
export class StaffMemberType {
  @Field()
  username!: string;

  @Field()
  displayName!: string;

  @Field(() => [OfficeEnum])
  offices!: string[];
}
