import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Office, uuidPrimaryKey } from '@sportello/platform';

/** A comune employee, with the offices that decide what they may read. */
export const StaffMemberEntity = defineEntity({
  name: 'StaffMember',
  tableName: 'staff_member',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    username: p.string(),
    displayName: p.string(),
    offices: p.json<Office[]>(),
    disabledAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['comune', 'username'] }],
});
export type StaffMember = InferEntity<typeof StaffMemberEntity>;
