import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { tenantProperties, uuidPrimaryKey } from '@sportello/platform';
import { RESIDENCE_CHANGE_STATUSES, type ResidenceChangeStatus } from '@sportello/schema';
import type { Relationship } from './resident.entity.js';

/** A residence address inside the comune. */
export interface AddressRecord {
  street: string;
  number: string;
  postcode: string;
  zone: string | null;
}

/** One mover of a declaration, with the address to restore if the declaration is rejected. */
export interface Mover {
  fiscalCode: string;
  /** Day of birth, to tell adult movers of each step (absent on declarations made before it was kept). */
  birthDate?: string;
  previous: AddressRecord;
  /**
   * The rest of the registry position the registration replaced, restored with the address when a
   * registered change is rejected or withdrawn; absent before registration (and on declarations
   * registered before it was kept).
   */
  previousPosition?: { residentSince: string; familyCode: string; relationship: Relationship };
}

/** One step of a declaration's history. */
export interface ResidenceChangeStep {
  from: ResidenceChangeStatus | null;
  to: ResidenceChangeStatus;
  at: string;
  by: string;
  note?: string;
  /** A reply of the applicant to the notice of obstacles (the status does not change). */
  reply?: true;
  /** The documents sent with a reply. */
  documents?: ReplyDocumentRecord[];
}

/** A document as a reply lists it; its bytes are a `ResidenceChangeDocument`'s. */
export interface ReplyDocumentRecord {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
}

/**
 * A change-of-residence declaration within the comune: the applicant and the family members moving
 * with them, the new address, and each mover's previous address.
 */
export const ResidenceChangeEntity = defineEntity({
  name: 'ResidenceChange',
  tableName: 'residence_change',
  properties: {
    id: uuidPrimaryKey(),
    ...tenantProperties(),
    applicantFiscalCode: p.string().length(16),
    movers: p.json<Mover[]>(),
    /** `|code|code|` of every mover, so a person’s declarations are found with one LIKE. */
    moverCodes: p.string().length(400),
    street: p.string().length(150),
    streetNumber: p.string().length(20),
    postcode: p.string().length(5),
    zone: p.string().length(50).nullable(),
    status: p.enum(RESIDENCE_CHANGE_STATUSES),
    declaredOn: p.string().length(10),
    registeredOn: p.string().length(10).nullable(),
    obstaclesNotifiedOn: p.string().length(10).nullable(),
    decidedOn: p.string().length(10).nullable(),
    history: p.json<ResidenceChangeStep[]>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['comune', 'applicantFiscalCode'] }, { properties: ['status', 'declaredOn'] }],
});
export type ResidenceChange = InferEntity<typeof ResidenceChangeEntity>;
