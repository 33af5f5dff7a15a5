import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { EMERGENCY_AREA_KINDS } from '../domain/emergency-area.js';

/** An area of the comune's civil protection plan. */
export const EmergencyAreaEntity = defineEntity({
  name: 'EmergencyArea',
  tableName: 'emergency_area',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    /** The plan's code of the area (e.g. `AA-03`). */
    code: p.string().length(50),
    name: p.string().length(200),
    kind: p.enum(EMERGENCY_AREA_KINDS).index(),
    latitude: p.double(),
    longitude: p.double(),
    /** People it can hold (not meaningful for landing zones). */
    capacity: p.integer().nullable(),
    address: p.string().length(300).nullable(),
    zoneCode: p.string().length(50).nullable(),
  },
  uniques: [{ properties: ['comune', 'code'] }],
});
export type EmergencyArea = InferEntity<typeof EmergencyAreaEntity>;

/** One of the comune's own emergency numbers (the national ones are constants). */
export const EmergencyNumberEntity = defineEntity({
  name: 'EmergencyNumber',
  tableName: 'emergency_number',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    number: p.string().length(30),
    label: p.string().length(200),
    /** Display order among the comune's numbers. */
    position: p.integer(),
  },
});
export type EmergencyNumber = InferEntity<typeof EmergencyNumberEntity>;
