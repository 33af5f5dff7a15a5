import { createEvent, type Actor, type PracticeStatus } from '@sportello/schema';
import type { Practice } from '../entities/practice.entity.js';

/** The fields every practice event carries: the gateway resolves `Practice` by `practiceId`. */
function practiceFields(practice: Practice) {
  return {
    practiceId: practice.id,
    typeCode: practice.typeCode,
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
) {
  return createEvent('practice.integration-requested', {
    ...envelope(practice, actor, occurredAt),
    data: { ...practiceFields(practice), integrationId, respondBy },
  });
}

export function practiceMessagePostedEvent(
  practice: Practice,
  messageId: string,
  author: 'citizen' | 'staff',
  actor: Actor,
  occurredAt: Date,
) {
  return createEvent('practice.message-posted', {
    ...envelope(practice, actor, occurredAt),
    data: { ...practiceFields(practice), messageId, author },
  });
}
