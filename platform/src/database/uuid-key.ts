import { randomUUID } from 'node:crypto';
import { p } from '@mikro-orm/core';

/**
 * The primary key of a record: a random UUID given when the record is created, so ids say nothing
 * about order or count.
 *
 * @example
 * defineEntity({ name: 'Resident', properties: { id: uuidPrimaryKey(), ...tenantProperties(), ... } })
 */
export function uuidPrimaryKey() {
  return p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());
}
