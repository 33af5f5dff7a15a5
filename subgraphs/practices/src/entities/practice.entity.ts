import { v7 as uuidv7 } from 'uuid';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { PRACTICE_STATUSES } from '@sportello/schema';

/**
 * A citizen's application (istanza). `applicantFiscalCode` is who files it; `onBehalfOfFiscalCode`
 * the person they act for, if any. `data` is the last form content that passed validation.
 */
export const PracticeEntity = defineEntity({
  name: 'Practice',
  tableName: 'practice',
  properties: {
    /** Time-ordered, so the staff queue pages by id in order of creation. */
    id: p
      .uuid()
      .primary()
      .onCreate(() => uuidv7()),
    ...tenantProperties(),
    typeCode: p.string().length(100),
    office: p.string().length(60),
    status: p.enum(PRACTICE_STATUSES),
    applicantFiscalCode: p.string().length(16).index(),
    onBehalfOfFiscalCode: p.string().length(16).nullable().index(),
    data: p.json<Record<string, unknown>>(),
    /** The latest protocol registration, `YYYY/NNNNNN`; every registration is in the timeline. */
    protocolNumber: p.string().length(20).nullable(),
    registeredAt: p.datetime().nullable(),
    submittedAt: p.datetime().nullable(),
    outcomeReason: p.text().nullable(),
    /** How many timeline entries the practice has; the next one gets this as its sequence. */
    changeCount: p.integer(),
    /** Optimistic lock: two staff acting on one practice at once cannot both win. */
    version: p.integer().version(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
  uniques: [{ properties: ['comune', 'protocolNumber'] }],
  // The staff queue: one office, one status, newest id last.
  indexes: [{ properties: ['comune', 'office', 'status', 'id'] }],
});
export type Practice = InferEntity<typeof PracticeEntity>;

/** One change of state of a practice, kept forever and shown to the citizen. */
export const PracticeChangeEntity = defineEntity({
  name: 'PracticeChange',
  tableName: 'practice_change',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    practiceId: p.uuid().index(),
    /** Orders changes made in the same millisecond (submit + register). */
    sequence: p.integer(),
    at: p.datetime(),
    action: p.string().length(60),
    fromStatus: p.enum(PRACTICE_STATUSES).nullable(),
    toStatus: p.enum(PRACTICE_STATUSES),
    /** `citizen`, `staff` or `system`. */
    actorKind: p.string().length(20),
    /** A public id: a staff username, a citizen's pseudonym (never a fiscal code), a job name. */
    actorId: p.string().length(200),
    note: p.text().nullable(),
    protocolNumber: p.string().length(20).nullable(),
  },
  uniques: [{ properties: ['practiceId', 'sequence'] }],
});
export type PracticeChange = InferEntity<typeof PracticeChangeEntity>;

/** A request for more documents or information, and the citizen's answer. */
export const IntegrationRequestEntity = defineEntity({
  name: 'IntegrationRequest',
  tableName: 'integration_request',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    practiceId: p.uuid().index(),
    message: p.text(),
    /** Deadline for the answer, `YYYY-MM-DD`. */
    respondBy: p.string().length(10).nullable(),
    requestedBy: p.string().length(200),
    requestedAt: p.datetime(),
    answer: p.text().nullable(),
    answeredAt: p.datetime().nullable(),
  },
});
export type IntegrationRequest = InferEntity<typeof IntegrationRequestEntity>;

/** A message between the citizen and the office on a practice. */
export const PracticeMessageEntity = defineEntity({
  name: 'PracticeMessage',
  tableName: 'practice_message',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    practiceId: p.uuid().index(),
    author: p.enum(['citizen', 'staff'] as const),
    authorId: p.string().length(200),
    body: p.text(),
    postedAt: p.datetime(),
  },
});
export type PracticeMessage = InferEntity<typeof PracticeMessageEntity>;

/**
 * The next protocol number of a comune in a year. Incremented with one conditional `UPDATE ...
 * RETURNING` in the submitting transaction, so concurrent submissions never share or skip a number.
 */
export const ProtocolCounterEntity = defineEntity({
  name: 'ProtocolCounter',
  tableName: 'protocol_counter',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    year: p.integer(),
    value: p.integer(),
  },
  uniques: [{ properties: ['comune', 'year'] }],
});
export type ProtocolCounter = InferEntity<typeof ProtocolCounterEntity>;

/**
 * A citizen's public pseudonym: timelines and events name actors by it, so a fiscal code is never
 * shown to anyone but its owner.
 */
export const CitizenAliasEntity = defineEntity({
  name: 'CitizenAlias',
  tableName: 'citizen_alias',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    fiscalCode: p.string().length(16),
  },
  uniques: [{ properties: ['comune', 'fiscalCode'] }],
});
export type CitizenAlias = InferEntity<typeof CitizenAliasEntity>;

/** Where a practice's fee stands. */
export const PRACTICE_FEE_STATUSES = ['requested', 'to-pay', 'paid', 'cancelled', 'exempt'] as const;
export type PracticeFeeStatus = (typeof PRACTICE_FEE_STATUSES)[number];

/**
 * The fee of one practice whose type charges it through pagoPA: asked of tributi
 * (`practice.payment-requested`), then the notice tributi made, its payment or cancellation, or the
 * exemption staff recorded with its reason. One row per practice, from the first request or
 * exemption on.
 */
export const PracticeFeeEntity = defineEntity({
  name: 'PracticeFee',
  tableName: 'practice_fee',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    practiceId: p.uuid().unique(),
    amountCents: p.integer(),
    status: p.enum(PRACTICE_FEE_STATUSES),
    /** The current request's reference at tributi: the practice id, then `<id>#<n>` for the n-th. */
    externalRef: p.string().length(100).nullable(),
    /** How many times payment was asked (a cancelled notice leads to a new request). */
    requestCount: p.integer(),
    requestedAt: p.datetime().nullable(),
    positionId: p.string().length(200).nullable(),
    noticeNumber: p.string().length(18).nullable(),
    dueDate: p.string().length(10).nullable(),
    paidAt: p.datetime().nullable(),
    exemptionReason: p.text().nullable(),
    exemptedBy: p.string().length(200).nullable(),
    exemptedAt: p.datetime().nullable(),
  },
});
export type PracticeFee = InferEntity<typeof PracticeFeeEntity>;
