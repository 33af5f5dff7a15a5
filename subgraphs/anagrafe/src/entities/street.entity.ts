import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';

/**
 * A street of the comune's street register (stradario), with its postcode and the zone it lies in:
 * a declared address gets its zone from here.
 */
export const StreetEntity = defineEntity({
  name: 'Street',
  tableName: 'street',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    name: p.string().length(150),
    postcode: p.string().length(5),
    zone: p.string().length(50).nullable(),
  },
  uniques: [{ properties: ['comune', 'name'] }],
});
export type Street = InferEntity<typeof StreetEntity>;
