import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { DELEGATION_KINDS } from '../domain/delegation.js';

/** A citizen (the delegate) may act for another person (the delegator) inside a window. */
export const DelegationEntity = defineEntity({
  name: 'Delegation',
  tableName: 'delegation',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    delegateFiscalCode: p.string().length(16).index(),
    delegatorFiscalCode: p.string().length(16).index(),
    kind: p.enum(DELEGATION_KINDS),
    validFrom: p.datetime(),
    validUntil: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    /** When its end (`validUntil` passed) was announced with `delegation.ended`; null before. */
    endAnnouncedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Delegation = InferEntity<typeof DelegationEntity>;
