import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { LEGAL_BASES, ORDINANCE_STATUSES, SCOPE_KINDS } from '../domain/ordinance.js';

/**
 * A mayoral emergency ordinance. Drafts change freely; once published (number assigned, on the
 * Albo Pretorio) the row is never updated again: corrections are new ordinances with `correctsId`.
 */
export const OrdinanceEntity = defineEntity({
  name: 'Ordinance',
  tableName: 'ordinance',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    status: p.enum(ORDINANCE_STATUSES).index(),
    /** Register number within the year, assigned on publication. */
    number: p.integer().nullable(),
    year: p.integer().nullable(),
    protocolNumber: p.string().length(50).nullable(),
    /** Adoption day, `YYYY-MM-DD`. */
    adoptedOn: p.string().length(10).nullable(),
    subject: p.string().length(300),
    legalBasis: p.enum(LEGAL_BASES),
    reasons: p.text(),
    measures: p.json<string[]>(),
    effectiveFrom: p.datetime(),
    effectiveUntil: p.datetime().nullable(),
    scopeKind: p.enum(SCOPE_KINDS),
    zoneCodes: p.json<string[]>(),
    streets: p.json<string[]>(),
    /** The alert the ordinance follows, if any. */
    alertId: p.uuid().nullable(),
    /** The published ordinance this one corrects, if any. */
    correctsId: p.uuid().nullable().index(),
    enforcingBody: p.string().length(200),
    appealClause: p.text(),
    addressees: p.text().nullable(),
    publishedAt: p.datetime().nullable(),
    createdBy: p.string().length(200),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
  uniques: [{ properties: ['comune', 'year', 'number'] }],
});
export type Ordinance = InferEntity<typeof OrdinanceEntity>;
