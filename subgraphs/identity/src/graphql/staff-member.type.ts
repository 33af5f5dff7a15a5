import { connectionType } from '@sportello/platform';
import { Field, ObjectType } from 'type-graphql';
import { OfficeEnum } from './enums.js';

@ObjectType('StaffMember', {
  description: 'A comune employee who signs in to staff apps (the dashboard); admin staff manage them.',
})
export class StaffMemberType {
  @Field({ description: 'Username, as the comune’s own sign-in provider names the person.' })
  username!: string;

  @Field({ description: 'Name shown to colleagues.' })
  displayName!: string;

  @Field(() => [OfficeEnum], {
    description: 'Offices the member works in: they decide what the member may read and do.',
  })
  offices!: string[];

  @Field({ description: 'False once disabled: the member can no longer sign in.' })
  enabled!: boolean;
}

export const StaffMemberConnectionType = connectionType(StaffMemberType, 'StaffMember', 'staff members');
