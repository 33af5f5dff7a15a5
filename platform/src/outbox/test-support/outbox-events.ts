import { createEvent, type EventEnvelope } from '@sportello/schema';

/** A catalogue event about alert `subject` (the bus keeps order per subject). */
export function alertEvent(
  comune: string,
  subject: string,
  colour: 'yellow' | 'orange' | 'red' = 'yellow',
): EventEnvelope {
  return createEvent('alert.issued', {
    comune,
    subject,
    actor: { kind: 'staff', id: 'operator-1' },
    data: {
      alertId: subject,
      hazard: 'thunderstorms',
      colour,
      zones: ['A'],
      validFrom: '2026-03-01T09:00:00Z',
      validTo: '2026-03-02T09:00:00Z',
      critical: false,
    },
  });
}

/** A bulk-lane event (the audit trail), about read `subject`. */
export function auditEvent(comune: string, subject: string): EventEnvelope {
  return createEvent('audit.personal-data-read', {
    comune,
    subject,
    actor: { kind: 'staff', id: 'anagrafe.rossi' },
    data: {
      service: 'anagrafe',
      actorUsername: 'anagrafe.rossi',
      actorOffices: ['anagrafe'],
      subjectFiscalCode: 'RSSMRA85T10A562S',
      action: 'read',
      resources: ['Citizen.residence'],
      requestId: subject,
      at: '2026-03-01T09:00:00Z',
    },
  });
}
