import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, type Office } from '@sportello/platform';

/** A comune employee, with the offices that decide what they may read. */
export const StaffMemberEntity = defineEntity({
  name: 'StaffMember',
  tableName: 'staff_member',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
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
