import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';

/** An attachment the applicant must (or may) add to a practice of a type. */
export interface RequiredAttachment {
  /** Stable code, e.g. `identity-document`; uploads name it as their `kind`. */
  code: string;
  label: string;
  /** Submission is refused while a required attachment is missing. */
  required: boolean;
}

/** When a practice's pagoPA fee is asked for (see `feeRequestedOn`). */
export const FEE_REQUEST_MOMENTS = ['submit', 'request'] as const;
export type FeeRequestMoment = (typeof FEE_REQUEST_MOMENTS)[number];

/**
 * One kind of practice the comune accepts (a real comune has about 250). The form the applicant
 * fills is a JSON Schema; the catalogue is public.
 */
export const PracticeTypeEntity = defineEntity({
  name: 'PracticeType',
  tableName: 'practice_type',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    code: p.string().length(100),
    title: p.string().length(300),
    office: p.string().length(60),
    description: p.text(),
    /** JSON Schema (draft 2020-12 subset ajv understands) of the form data. */
    formSchema: p.json<Record<string, unknown>>(),
    requiredAttachments: p.json<RequiredAttachment[]>(),
    /** Fee in euro cents; `null` when the practice is free. */
    feeCents: p.integer().nullable(),
    /** The fee is paid through a tributi payment position (pagoPA) rather than a revenue stamp. */
    feeViaTributi: p.boolean(),
    /**
     * When a pagoPA fee is asked for: `submit` when the citizen submits (the practice is registered
     * once paid), `request` when the citizen asks to pay before submitting.
     */
    feeRequestedOn: p.enum(FEE_REQUEST_MOMENTS).default('submit'),
    expectedDurationDays: p.integer(),
    active: p.boolean(),
  },
  uniques: [{ properties: ['comune', 'code'] }],
  indexes: [{ properties: ['comune', 'office', 'code'] }],
});
export type PracticeType = InferEntity<typeof PracticeTypeEntity>;
