import { validate as isUuid, version as uuidVersion } from 'uuid';
import { describe, expect, it } from 'vitest';
import { computeFiscalCode } from '../scalars/fiscal-code.js';
import { makeNoticeNumber } from '../scalars/notice-number.js';
import { EVENTS, type AnyEvent, type EventDataInput, type EventType } from './catalogue.js';
import {
  busSubject,
  busSubjectPattern,
  checkEvent,
  createEvent,
  EVENT_TYPES,
  EventValidationError,
  isEventOf,
  parseEvent,
  serializeEvent,
} from './codec.js';

const COMUNE = '058091';
const APPLICANT = computeFiscalCode({
  surname: 'Esposito',
  name: 'Giulia',
  birthDate: '1990-05-17',
  sex: 'F',
  birthPlaceCode: 'F839',
});
const NOTICE = makeNoticeNumber({ segregationCode: '01', iuvBase: 42n });
const CITIZEN = { kind: 'citizen', id: 'ctz_01' } as const;
/** The IMU notice the samples of a position being created, falling due and overdue describe. */
const IMU_NOTICE = {
  positionId: 'pos_1',
  noticeNumber: NOTICE,
  amountCents: 10_250,
  dueDate: '2026-06-16',
  payerFiscalCode: APPLICANT,
  creditorFiscalCode: '83000390019',
  description: 'IMU 2026 acconto',
};

/** One valid data payload per event type: the round-trip test covers the whole catalogue. */
const SAMPLES: { [T in EventType]: EventDataInput<T> } = {
  'citizen.registered': { citizenId: 'ctz_01', fiscalCode: APPLICANT },
  'citizen.contact-verified': { citizenId: 'ctz_01', fiscalCode: APPLICANT, channel: 'email' },
  'citizen.telegram-linked': { citizenId: 'ctz_01', fiscalCode: APPLICANT },
  'citizen.telegram-unlinked': { citizenId: 'ctz_01', fiscalCode: APPLICANT, reason: 'blocked' },
  'citizen.preferences-changed': { citizenId: 'ctz_01', fiscalCode: APPLICANT, changed: ['topics.alerts'] },
  'access.revoked': { reason: 'client-revoked', clientId: 'app_7Hq2', revokedAt: '2026-02-01T12:00:00Z' },
  'delegation.ended': {
    delegationId: 'dlg_01',
    kind: 'minor-child',
    delegator: 'RSSMRA80A01H501U',
    delegate: APPLICANT,
    reason: 'majority',
    endedAt: '2026-12-07T23:00:00Z',
    majorityOn: '2026-12-08',
  },
  'audit.personal-data-read': {
    service: 'anagrafe',
    actorUsername: 'anagrafe.bianchi',
    actorOffices: ['anagrafe'],
    subjectFiscalCode: APPLICANT,
    action: 'read',
    resources: ['Citizen.residence', 'Citizen.family'],
    requestId: 'req-1',
    at: '2026-02-01T12:00:00Z',
  },
  'resident.registered': {
    residentId: 'res_1',
    fiscalCode: APPLICANT,
    zone: 'Lazi-B',
    effectiveFrom: '2025-03-01',
  },
  'resident.address-changed': {
    residentId: 'res_1',
    fiscalCode: APPLICANT,
    zone: { from: 'Lazi-B', to: 'Lazi-C' },
    effectiveFrom: '2025-04-02',
  },
  'certificate.issued': {
    certificateId: 'cert_9',
    requesterFiscalCode: APPLICANT,
    holderFiscalCode: APPLICANT,
    kinds: ['residence', 'family'],
    stampDuty: 'exempt',
    validUntil: '2026-06-01',
  },
  'certificate.payment-requested': {
    requestId: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0f',
    requesterFiscalCode: APPLICANT,
    holderFiscalCode: APPLICANT,
    kinds: ['residence'],
    externalRef: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0f',
    amountCents: 1600,
    dueDate: '2026-04-01',
    description: 'Imposta di bollo: certificato di residenza',
  },
  'document.expiring': {
    documentId: 'doc_3',
    holderFiscalCode: APPLICANT,
    kind: 'CIE',
    expiresOn: '2026-05-17',
    offsetDays: 90,
  },
  'document.expired': {
    documentId: 'doc_4',
    holderFiscalCode: APPLICANT,
    kind: 'paper',
    expiredOn: '2026-08-03',
  },
  'residence-change.status-changed': {
    requestId: 'rc_1',
    applicantFiscalCode: APPLICANT,
    from: 'declared',
    to: 'registered',
  },
  'payment.position-created': {
    ...IMU_NOTICE,
    instalment: 1,
    kind: 'IMU',
  },
  'payment.received': {
    positionId: 'pos_1',
    noticeNumber: NOTICE,
    amountCents: 10_250,
    payerFiscalCode: APPLICANT,
    paidAt: '2026-06-10T10:15:00+02:00',
  },
  'payment.due-soon': {
    ...IMU_NOTICE,
    instalment: null,
    offsetDays: 7,
  },
  'payment.overdue': {
    ...IMU_NOTICE,
    instalment: 1,
  },
  'payment.position-cancelled': { positionId: 'pos_1', noticeNumber: NOTICE, payerFiscalCode: APPLICANT },
  'payment.fee-refused': {
    externalRef: '019a1c2e-7b3d-7c11-9f00-5d2a3b4c5d6e',
    payerFiscalCode: APPLICANT,
    reason: 'dueDate: must not be in the past',
  },
  'payment.bulk-job-changed': { jobId: 'job_1', status: 'running', processed: 500, total: 10_000 },
  'practice.submitted': {
    practiceId: 'pr_7',
    typeCode: 'occupazione-suolo-pubblico',
    office: 'suap',
    applicantFiscalCode: APPLICANT,
    protocolNumber: null,
    onBehalfOfFiscalCode: null,
  },
  'practice.status-changed': {
    practiceId: 'pr_7',
    typeCode: 'occupazione-suolo-pubblico',
    office: 'suap',
    applicantFiscalCode: APPLICANT,
    from: 'registered',
    to: 'taken-in-charge',
    note: 'Assigned to the SUAP office',
  },
  'practice.integration-requested': {
    practiceId: 'pr_7',
    typeCode: 'occupazione-suolo-pubblico',
    office: 'suap',
    applicantFiscalCode: APPLICANT,
    integrationId: 'int_1',
    respondBy: '2026-04-30',
  },
  'practice.message-posted': {
    practiceId: 'pr_7',
    typeCode: 'occupazione-suolo-pubblico',
    office: 'suap',
    applicantFiscalCode: APPLICANT,
    messageId: 'msg_1',
    author: 'staff',
  },
  'practice.payment-requested': {
    practiceId: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0e',
    typeCode: 'resident-parking-permit',
    typeTitle: 'Permesso di sosta residenti',
    office: 'practices',
    applicantFiscalCode: APPLICANT,
    externalRef: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0e',
    amountCents: 2000,
    dueDate: '2026-04-01',
    description: 'Permesso di sosta residenti',
  },
  'practice.fee-exempted': {
    practiceId: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0e',
    typeCode: 'resident-parking-permit',
    office: 'practices',
    applicantFiscalCode: APPLICANT,
    externalRef: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0e#2',
    reason: 'Invalidità riconosciuta: esente',
  },
  'appointment.booked': {
    appointmentId: 'apt_1',
    office: 'anagrafe',
    citizenFiscalCode: APPLICANT,
    startsAt: '2026-03-02T09:00:00Z',
    endsAt: '2026-03-02T09:15:00Z',
    practiceId: null,
  },
  'appointment.changed': {
    appointmentId: 'apt_1',
    office: 'anagrafe',
    citizenFiscalCode: APPLICANT,
    startsAt: '2026-03-03T09:00:00Z',
    endsAt: '2026-03-03T09:15:00Z',
    practiceId: null,
    previousStartsAt: '2026-03-02T09:00:00Z',
  },
  'appointment.cancelled': {
    appointmentId: 'apt_1',
    office: 'anagrafe',
    citizenFiscalCode: APPLICANT,
    startsAt: '2026-03-03T09:00:00Z',
    endsAt: '2026-03-03T09:15:00Z',
    practiceId: 'pr_7',
    cancelledBy: 'citizen',
  },
  'appointment.reminder': {
    appointmentId: 'apt_1',
    office: 'anagrafe',
    citizenFiscalCode: APPLICANT,
    startsAt: '2026-03-03T09:00:00Z',
    endsAt: '2026-03-03T09:15:00Z',
    practiceId: null,
    offsetHours: 24,
  },
  'report.status-changed': {
    reportId: 'rep_1',
    category: 'potholes',
    reporterFiscalCode: null,
    from: 'received',
    to: 'taken-in-charge',
  },
  'alert.issued': {
    alertId: 'al_1',
    hazard: 'hydraulic',
    colour: 'orange',
    zones: ['Lazi-B'],
    validFrom: '2026-02-01T12:00:00Z',
    validTo: '2026-02-02T00:00:00Z',
    phase: 'pre-alarm',
    critical: true,
  },
  'alert.updated': {
    alertId: 'al_1',
    hazard: 'hydraulic',
    colour: 'red',
    zones: ['Lazi-B', 'Lazi-C'],
    validFrom: '2026-02-01T12:00:00Z',
    validTo: '2026-02-02T12:00:00Z',
    phase: 'alarm',
    critical: true,
    bulletinRef: 'BCR 2026/032',
    wholeComune: false,
    zoneNames: ['Golena', 'Centro'],
    headline: 'Piena del Tevere',
    instructions: 'Salire ai piani alti.',
    sequence: 2,
    previous: {
      colour: 'orange',
      zones: ['Lazi-B'],
      validFrom: '2026-02-01T12:00:00Z',
      validTo: '2026-02-02T00:00:00Z',
      phase: 'pre-alarm',
    },
  },
  'alert.cancelled': {
    alertId: 'al_1',
    hazard: 'hydraulic',
    colour: 'red',
    zones: ['Lazi-B'],
    validFrom: '2026-02-01T12:00:00Z',
    validTo: '2026-02-02T12:00:00Z',
    critical: false,
    cancelReason: 'Livelli in calo',
  },
  'alert.expired': {
    alertId: 'al_1',
    hazard: 'hydraulic',
    colour: 'orange',
    zones: ['Lazi-B'],
    validFrom: '2026-02-01T12:00:00Z',
    validTo: '2026-02-02T12:00:00Z',
    critical: false,
  },
  'ordinance.published': {
    ordinanceId: 'ord_12',
    number: 12,
    year: 2026,
    subject: 'Closure of schools and parks',
    wholeComune: false,
    zones: ['Lazi-B'],
    streets: ['Via del Corso'],
    zoneNames: ['Golena'],
    adoptedOn: '2026-02-01',
    measures: ['Chiusura delle scuole'],
    documentUrls: ['https://comune.example/feeds/ordinance-document.pdf?id=doc_1'],
  },
  'delivery.stats-changed': {
    eventId: '01964c3e-8a36-7cc5-9c57-6f1d1b7d5a10',
    eventType: 'alert.issued',
    channels: {
      email: { planned: 10, sent: 8, failed: 1, dead: 1 },
      telegram: { planned: 3, sent: 3, failed: 0, dead: 0 },
    },
  },
};

function make<T extends EventType>(type: T, data: EventDataInput<T> = SAMPLES[type]) {
  return createEvent(type, { comune: COMUNE, subject: 'subject-1', actor: CITIZEN, data });
}

function rejection(run: () => unknown): EventValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    return error as EventValidationError;
  }
  throw new Error('expected the event to be rejected');
}

describe('event catalogue round trip', () => {
  it.each(EVENT_TYPES)('%s: create, serialize, parse', (type) => {
    const event = make(type);
    expect(isUuid(event.id) && uuidVersion(event.id)).toBe(7);
    expect(event.version).toBe(EVENTS[type].version);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();

    const wire = serializeEvent(event);
    const parsed = parseEvent(wire);
    expect(parsed).toEqual(event);
    expect(parseEvent(JSON.parse(wire))).toEqual(event);
  });

  it('covers every type of the catalogue with a sample', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('gives time-ordered ids', () => {
    const ids = Array.from({ length: 50 }, () => make('citizen.registered').id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });

  it('normalises scalars in data', () => {
    const event = make('citizen.registered', { citizenId: 'c', fiscalCode: ` ${APPLICANT.toLowerCase()} ` });
    expect(event.data.fiscalCode).toBe(APPLICANT);
  });

  it('keeps a given occurredAt', () => {
    const event = createEvent('citizen.registered', {
      comune: COMUNE,
      subject: 's',
      actor: null,
      data: SAMPLES['citizen.registered'],
      occurredAt: new Date('2026-01-02T03:04:05.000Z'),
    });
    expect(event.occurredAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it('narrows a parsed event by type', () => {
    const parsed: AnyEvent = parseEvent(serializeEvent(make('payment.due-soon')));
    if (!isEventOf(parsed, 'payment.due-soon')) throw new Error('wrong type');
    expect(parsed.data.noticeNumber).toBe(NOTICE);
    switch (parsed.type) {
      case 'payment.due-soon':
        expect(parsed.data.offsetDays).toBe(7);
        break;
      default:
        throw new Error('unreachable');
    }
  });
});

describe('event rejection', () => {
  it('names the bad field and the scalar reason', () => {
    const bad = { ...SAMPLES['practice.submitted'], applicantFiscalCode: 'RCCMNL83S18D969X' };
    const error = rejection(() => make('practice.submitted', bad));
    expect(error.message).toBe(
      'event practice.submitted v1: data.applicantFiscalCode: fiscal code: check letter should be H, got X',
    );
    expect(error.eventType).toBe('practice.submitted');
  });

  it('lists every problem with its path', () => {
    const bad = {
      ...SAMPLES['alert.issued'],
      colour: 'purple',
      zones: [''],
      validTo: '2026-01-01T00:00:00Z',
    };
    const error = rejection(() => make('alert.issued', bad as never));
    expect(error.issues.some((issue) => issue.startsWith('data.colour: '))).toBe(true);
    expect(error.issues.some((issue) => issue.startsWith('data.zones[0]: '))).toBe(true);
  });

  it('checks cross-field rules', () => {
    const alert = { ...SAMPLES['alert.issued'], validTo: '2026-02-01T11:00:00Z' };
    expect(rejection(() => make('alert.issued', alert)).issues).toEqual([
      'data.validTo: validTo must be after validFrom',
    ]);
    const ordinance = { ...SAMPLES['ordinance.published'], zones: [], streets: [] };
    expect(rejection(() => make('ordinance.published', ordinance)).issues[0]).toMatch(/^data.zones: /);
    const booking = { ...SAMPLES['appointment.booked'], endsAt: '2026-03-02T08:00:00Z' };
    expect(rejection(() => make('appointment.booked', booking)).issues).toEqual([
      'data.endsAt: endsAt must be after startsAt',
    ]);
  });

  it('names one access token by its id in a token revocation, and only there', () => {
    const revokedAt = '2026-02-01T12:00:00Z';
    const token = make('access.revoked', {
      reason: 'token-revoked',
      tokenId: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0f',
      clientId: 'app_7Hq2',
      revokedAt,
    });
    expect(parseEvent(JSON.parse(serializeEvent(token))).data).toMatchObject({
      reason: 'token-revoked',
      tokenId: '0190c6d2-7a4e-7b1c-9d3e-5f6a7b8c9d0f',
    });
    expect(
      rejection(() => make('access.revoked', { reason: 'token-revoked', clientId: 'app_7Hq2', revokedAt }))
        .issues,
    ).toEqual(['data.tokenId: a token is named by, and only by, a `token-revoked` revocation']);
    expect(
      rejection(() =>
        make('access.revoked', { reason: 'signed-out', fiscalCode: APPLICANT, tokenId: 't1', revokedAt }),
      ).issues,
    ).toEqual(['data.tokenId: a token is named by, and only by, a `token-revoked` revocation']);
  });

  it('rejects a notice number failing mod 93 inside payment data', () => {
    const bad = { ...SAMPLES['payment.received'], noticeNumber: '302032002700000250' };
    expect(rejection(() => make('payment.received', bad)).issues).toEqual([
      'data.noticeNumber: notice number: check digits 51 expected, got 50',
    ]);
  });

  it('rejects an unknown type and an unknown version', () => {
    const event = JSON.parse(serializeEvent(make('citizen.registered')));
    const unknownType = rejection(() => parseEvent({ ...event, type: 'citizen.teleported' }));
    expect(unknownType.message).toBe('event citizen.teleported: type is not in the event catalogue');
    const unknownVersion = rejection(() => parseEvent({ ...event, version: 2 }));
    expect(unknownVersion.message).toBe(
      'event citizen.registered: version 2 is not supported (supported: 1)',
    );
    expect(() =>
      createEvent('citizen.teleported' as EventType, {
        comune: COMUNE,
        subject: 's',
        actor: null,
        data: {} as never,
      }),
    ).toThrow('event citizen.teleported: type is not in the event catalogue');
  });

  it('rejects a malformed envelope', () => {
    const event = JSON.parse(serializeEvent(make('citizen.registered')));
    expect(rejection(() => parseEvent({ ...event, comune: '58091' })).message).toBe(
      'event envelope: comune: comune must be a 6-digit ISTAT code',
    );
    expect(rejection(() => parseEvent({ ...event, id: 'not-a-uuid' })).issues).toEqual([
      'id: id must be a UUID v7',
    ]);
    expect(rejection(() => parseEvent('{"type":')).message).toBe('event: not valid JSON');
    expect(rejection(() => parseEvent(null)).message).toMatch(/^event envelope: /);
    expect(() =>
      createEvent('citizen.registered', {
        comune: COMUNE,
        subject: '',
        actor: null,
        data: SAMPLES['citizen.registered'],
      }),
    ).toThrow(/^event envelope: subject: /);
  });

  it('drops fields the catalogue does not define before they reach the wire', () => {
    const leaky = { ...SAMPLES['citizen.registered'], surname: 'Esposito', email: 'giulia@example.org' };
    const wire = serializeEvent(make('citizen.registered', leaky));
    expect(wire).not.toContain('Esposito');
    expect(wire).not.toContain('example.org');
    expect(Object.keys(parseEvent(wire).data).sort()).toEqual(['citizenId', 'fiscalCode']);
  });

  it('refuses to serialize an event that does not validate', () => {
    const event = make('document.expiring');
    const tampered = { ...event, data: { ...event.data, kind: 'passport' } } as unknown as typeof event;
    expect(rejection(() => serializeEvent(tampered)).issues[0]).toMatch(/^data.kind: /);
  });
});

describe('checked events', () => {
  it('gives the JSON serializeEvent gives, and copies of the event that are each its own', () => {
    const event = make('practice.submitted');
    const checked = checkEvent(event);
    expect(checked.text).toBe(serializeEvent(event));
    const [one, other] = [checked.copy(), checked.copy()];
    expect(one).toEqual(JSON.parse(checked.text));
    expect(one).not.toBe(other);
    (one.data as { practiceId: string }).practiceId = 'changed';
    expect(other.data).toEqual(event.data);
    expect(checkEvent(other).text).toBe(checked.text);
  });

  it('still checks an event built from a checked one, and one received as text', () => {
    const copy = checkEvent(make('document.expiring')).copy();
    const tampered = { ...copy, data: { ...copy.data, kind: 'passport' } } as unknown as typeof copy;
    expect(rejection(() => checkEvent(tampered)).issues[0]).toMatch(/^data.kind: /);
    const text = JSON.stringify(tampered);
    expect(rejection(() => parseEvent(text)).issues[0]).toMatch(/^data.kind: /);
  });

  it('refuses an event outside the catalogue, naming the problem', () => {
    expect(
      rejection(() => checkEvent({ ...make('practice.submitted'), type: 'practice.teleported' })).message,
    ).toMatch(/type is not in the event catalogue/);
  });
});

describe('bus subjects', () => {
  it('puts comune, producer and type in the subject', () => {
    expect(busSubject(make('practice.submitted'))).toBe('sportello.058091.practices.practice.submitted');
    expect(busSubject({ comune: '001272', type: 'alert.issued' })).toBe(
      'sportello.001272.civil-protection.alert.issued',
    );
    expect(busSubject({ comune: COMUNE, type: 'delivery.stats-changed' })).toBe(
      'sportello.058091.notifier.delivery.stats-changed',
    );
  });

  it('gives each type the subject of its producer', () => {
    for (const type of EVENT_TYPES) {
      expect(busSubject({ comune: COMUNE, type })).toBe(
        `sportello.${COMUNE}.${EVENTS[type].producer}.${type}`,
      );
    }
  });

  it('rejects unknown types and comuni that would break routing', () => {
    expect(() => busSubject({ comune: COMUNE, type: 'nope.nothing' })).toThrow(EventValidationError);
    expect(() => busSubject({ comune: '*', type: 'alert.issued' })).toThrow(/6-digit ISTAT code/);
  });

  it('builds wildcard patterns', () => {
    expect(busSubjectPattern()).toBe('sportello.*.*.>');
    expect(busSubjectPattern({ producer: 'practices' })).toBe('sportello.*.practices.>');
    expect(busSubjectPattern({ comune: COMUNE, type: 'alert.issued' })).toBe(
      'sportello.058091.civil-protection.alert.issued',
    );
    expect(() => busSubjectPattern({ producer: 'tributi', type: 'alert.issued' })).toThrow(
      /produced by civil-protection, not tributi/,
    );
  });
});
