import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';

/** Civil status as the anagrafe records it. */
export const CIVIL_STATUSES = [
  'single',
  'married',
  'civil-union',
  'widowed',
  'divorced',
  'separated',
] as const;
export type CivilStatus = (typeof CIVIL_STATUSES)[number];

/** Relationship of a family member to the head of the family (intestatario della scheda). */
export const RELATIONSHIPS = ['head', 'spouse', 'child', 'parent', 'cohabitant'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/**
 * A person resident in the comune (APR): birth data, citizenship, civil status, residence address
 * with the zone of the comune it lies in, family, electoral data. The address is the current one;
 * the previous ones are kept on the change-of-residence declarations that replaced them.
 */
export const ResidentEntity = defineEntity({
  name: 'Resident',
  tableName: 'resident',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16),
    givenName: p.string().length(100),
    familyName: p.string().length(100),
    /** `family given street number`, lower case without accents: what staff search matches on. */
    searchText: p.string().length(400),
    sex: p.enum(['F', 'M'] as const),
    birthDate: p.string().length(10),
    birthPlaceCode: p.string().length(4),
    birthPlaceName: p.string().length(100),
    /** ISO 3166-1 alpha-2. */
    citizenship: p.string().length(2),
    civilStatus: p.enum(CIVIL_STATUSES),
    street: p.string().length(150),
    streetNumber: p.string().length(20),
    postcode: p.string().length(5),
    /** Zone of the comune the address lies in (civil protection, notifications); null when none. */
    zone: p.string().length(50).nullable(),
    /** Stato di famiglia: members share the code. */
    familyCode: p.string().length(40),
    relationship: p.enum(RELATIONSHIPS),
    residentSince: p.string().length(10),
    pollingStation: p.string().length(150).nullable(),
    electoralSection: p.integer().nullable(),
    electoralCardNumber: p.string().length(20).nullable(),
    registeredAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['comune', 'fiscalCode'] }],
  indexes: [
    // residentsInZones pages by fiscal code within zones.
    { properties: ['comune', 'zone', 'fiscalCode'] },
    { properties: ['comune', 'familyCode'] },
    { properties: ['comune', 'searchText'] },
    { properties: ['comune', 'street'] },
  ],
});
export type Resident = InferEntity<typeof ResidentEntity>;
