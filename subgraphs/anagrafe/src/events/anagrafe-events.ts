import { createEvent, type Actor, type ResidenceChangeStatus } from '@sportello/schema';
import type { CertificateRequestRecord } from '../entities/certificate-request.entity.js';
import type { Certificate } from '../entities/certificate.entity.js';
import type { IdentityDocument } from '../entities/identity-document.entity.js';
import type { ResidenceChange } from '../entities/residence-change.entity.js';
import type { Resident } from '../entities/resident.entity.js';
import { ageOn, type IsoDate } from '@sportello/platform';

/** `resident.registered` for a person who became resident. */
export function residentRegisteredEvent(resident: Resident, actor: Actor | null, occurredAt: Date) {
  return createEvent('resident.registered', {
    comune: resident.comune,
    subject: resident.id,
    actor,
    occurredAt,
    data: {
      residentId: resident.id,
      fiscalCode: resident.fiscalCode,
      zone: resident.zone ?? null,
      effectiveFrom: resident.residentSince,
    },
  });
}

/** `resident.address-changed`: only the zones travel, never the address. */
export function addressChangedEvent(
  resident: Resident,
  zone: { from: string | null; to: string | null },
  effectiveFrom: string,
  actor: Actor | null,
  occurredAt: Date,
) {
  return createEvent('resident.address-changed', {
    comune: resident.comune,
    subject: resident.id,
    actor,
    occurredAt,
    data: { residentId: resident.id, fiscalCode: resident.fiscalCode, zone, effectiveFrom },
  });
}

/** `certificate.issued`. */
export function certificateIssuedEvent(certificate: Certificate, actor: Actor | null) {
  return createEvent('certificate.issued', {
    comune: certificate.comune,
    subject: certificate.id,
    actor,
    occurredAt: certificate.issuedAt,
    data: {
      certificateId: certificate.id,
      requesterFiscalCode: certificate.requesterFiscalCode,
      holderFiscalCode: certificate.holderFiscalCode,
      kinds: [...certificate.kinds],
      stampDuty: certificate.stampDuty,
      validUntil: certificate.validUntil ?? null,
    },
  });
}

/** `certificate.payment-requested`: tributi makes the stamp-duty notice of a waiting request. */
export function certificatePaymentRequestedEvent(
  request: CertificateRequestRecord,
  description: string,
  actor: Actor | null,
) {
  return createEvent('certificate.payment-requested', {
    comune: request.comune,
    subject: request.id,
    actor,
    occurredAt: request.requestedAt,
    data: {
      requestId: request.id,
      requesterFiscalCode: request.requesterFiscalCode,
      holderFiscalCode: request.holderFiscalCode,
      kinds: [...request.kinds],
      externalRef: request.id,
      amountCents: request.stampDutyCents ?? 0,
      dueDate: request.paymentDueDate ?? '',
      description,
    },
  });
}

/** `document.expiring`, `daysLeft` days before the document's last valid day. */
export function documentExpiringEvent(document: IdentityDocument, daysLeft: number, occurredAt: Date) {
  return createEvent('document.expiring', {
    comune: document.comune,
    subject: document.id,
    actor: { kind: 'system', id: 'document-expiry-job' },
    occurredAt,
    data: {
      documentId: document.id,
      holderFiscalCode: document.holderFiscalCode,
      kind: document.kind,
      expiresOn: document.expiresOn,
      offsetDays: daysLeft,
    },
  });
}

/** `document.expired`. */
export function documentExpiredEvent(document: IdentityDocument, occurredAt: Date) {
  return createEvent('document.expired', {
    comune: document.comune,
    subject: document.id,
    actor: { kind: 'system', id: 'document-expiry-job' },
    occurredAt,
    data: {
      documentId: document.id,
      holderFiscalCode: document.holderFiscalCode,
      kind: document.kind,
      expiredOn: document.expiresOn,
    },
  });
}

/** `residence-change.status-changed`. */
export function residenceChangeStatusEvent(
  change: ResidenceChange,
  from: ResidenceChangeStatus | null,
  actor: Actor | null,
  occurredAt: Date,
  note: string | undefined,
  /** The comune's day of the step: who is an adult mover on it. */
  today: IsoDate,
) {
  return createEvent('residence-change.status-changed', {
    comune: change.comune,
    subject: change.id,
    actor,
    occurredAt,
    data: {
      requestId: change.id,
      applicantFiscalCode: change.applicantFiscalCode,
      from,
      to: change.status,
      ...(note === undefined ? {} : { note }),
      adultMoverFiscalCodes: adultMoversBesidesApplicant(change, today),
    },
  });
}

/**
 * The people moving with the applicant who are adults on the day of the step: they hear of it as
 * the applicant does (a minor's parents are told through the applicant, or are movers themselves).
 */
function adultMoversBesidesApplicant(change: ResidenceChange, day: IsoDate): string[] {
  return change.movers
    .filter(
      (mover) =>
        mover.fiscalCode !== change.applicantFiscalCode &&
        mover.birthDate !== undefined &&
        ageOn(mover.birthDate, day) >= 18,
    )
    .map((mover) => mover.fiscalCode);
}
