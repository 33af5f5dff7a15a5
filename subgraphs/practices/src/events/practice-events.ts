import { createEvent, type Actor, type PracticeStatus } from '@sportello/schema';
import { PRACTICE_TYPE_CATALOGUE } from '../domain/catalogue.js';
import type { Practice } from '../entities/practice.entity.js';

/** Practice types' titles by code: a comune's types are set up from the catalogue. */
const TYPE_TITLES = new Map(PRACTICE_TYPE_CATALOGUE.map((type) => [type.code, type.title]));

/**
 * The fields every practice event carries: the gateway resolves `Practice` by `practiceId`; the
 * notifier writes the type's title to the citizen.
 */
function practiceFields(practice: Practice) {
  const typeTitle = TYPE_TITLES.get(practice.typeCode);
  return {
    practiceId: practice.id,
    typeCode: practice.typeCode,
    ...(typeTitle === undefined ? {} : { typeTitle }),
    office: practice.office,
    applicantFiscalCode: practice.applicantFiscalCode,
  };
}

function envelope(practice: Practice, actor: Actor | null, occurredAt: Date) {
  return { comune: practice.comune, subject: practice.id, actor, occurredAt };
}

export function practiceStatusChangedEvent(
  practice: Practice,
  from: PracticeStatus | null,
  to: PracticeStatus,
  note: string | null,
  actor: Actor | null,
  occurredAt: Date,
) {
  return createEvent('practice.status-changed', {
    ...envelope(practice, actor, occurredAt),
    data: {
      ...practiceFields(practice),
      onBehalfOfFiscalCode: practice.onBehalfOfFiscalCode ?? null,
      protocolNumber: practice.protocolNumber ?? null,
      from,
      to,
      ...(note === null ? {} : { note: note.slice(0, 1000) }),
    },
  });
}

export function practiceSubmittedEvent(practice: Practice, actor: Actor | null, occurredAt: Date) {
  return createEvent('practice.submitted', {
    ...envelope(practice, actor, occurredAt),
    data: {
      ...practiceFields(practice),
      protocolNumber: practice.protocolNumber ?? null,
      onBehalfOfFiscalCode: practice.onBehalfOfFiscalCode ?? null,
    },
  });
}

export function practiceIntegrationRequestedEvent(
  practice: Practice,
  integrationId: string,
  respondBy: string | null,
  actor: Actor,
  occurredAt: Date,
  message: string | null = null,
) {
  return createEvent('practice.integration-requested', {
    ...envelope(practice, actor, occurredAt),
    data: {
      ...practiceFields(practice),
      protocolNumber: practice.protocolNumber ?? null,
      integrationId,
      respondBy,
      ...(message ? { message } : {}),
    },
  });
}

export function practiceMessagePostedEvent(
  practice: Practice,
  messageId: string,
  author: 'citizen' | 'staff',
  actor: Actor,
  occurredAt: Date,
  text: string | null = null,
) {
  return createEvent('practice.message-posted', {
    ...envelope(practice, actor, occurredAt),
    data: {
      ...practiceFields(practice),
      protocolNumber: practice.protocolNumber ?? null,
      messageId,
      author,
      // Only the office's messages travel: the notifier sends them to the citizen.
      ...(author === 'staff' && text ? { text } : {}),
    },
  });
}

/** `practice.payment-requested`: tributi makes the fee's pagoPA notice for the applicant. */
export function practicePaymentRequestedEvent(
  practice: Practice,
  fee: { externalRef: string; amountCents: number; dueDate: string; description: string },
  actor: Actor | null,
  occurredAt: Date,
) {
  return createEvent('practice.payment-requested', {
    ...envelope(practice, actor, occurredAt),
    data: { ...practiceFields(practice), ...fee },
  });
}

/** `practice.fee-exempted`: staff exempted the practice; tributi cancels the notice still to pay. */
export function practiceFeeExemptedEvent(
  practice: Practice,
  externalRef: string | null,
  reason: string,
  actor: Actor,
  occurredAt: Date,
) {
  return createEvent('practice.fee-exempted', {
    ...envelope(practice, actor, occurredAt),
    data: { ...practiceFields(practice), externalRef, reason },
  });
}
