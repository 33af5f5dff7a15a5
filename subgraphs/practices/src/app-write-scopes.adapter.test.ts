/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read loosely; the assertions check their shape */
import { randomBytes } from 'node:crypto';
import type { Scope } from '@sportello/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRACTICES_MUTATION_SCOPES } from './graphql/mutation-scopes.js';
import { CHIARA, CHILD, COMUNE, MARIO, startHarness, type Harness } from './test-support/harness.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x20), Buffer.from('\n%%EOF\n')]);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Every change a citizen makes here, as an app would call it for them; `$id` is the practice (or
 * appointment, attachment) the journey below has at hand.
 */
const WRITES: Record<string, string> = {
  createPracticeDraft: `mutation($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { id status } }`,
  savePracticeData: `mutation($id: ID!, $data: JSONObject!) { savePracticeData(id: $id, data: $data) { id status } }`,
  removePracticeAttachment: `mutation($id: ID!) { removePracticeAttachment(attachmentId: $id) }`,
  requestPracticePayment: `mutation($id: ID!) { requestPracticePayment(id: $id) { id status } }`,
  submitPractice: `mutation($id: ID!) { submitPractice(id: $id) { id status } }`,
  postPracticeMessage: `mutation($id: ID!) { postPracticeMessage(practiceId: $id, body: "Quando passate?") { id } }`,
  answerPracticeIntegration: `mutation($id: ID!) { answerPracticeIntegration(id: $id, answer: "Al piano terra.") { id status } }`,
  withdrawPractice: `mutation($id: ID!) { withdrawPractice(id: $id, reason: "Non serve più") { id status } }`,
  bookAppointment: `mutation($calendar: ID!, $at: DateTimeISO!) { bookAppointment(calendarId: $calendar, startsAt: $at) { id status } }`,
  moveAppointment: `mutation($id: ID!, $at: DateTimeISO!) { moveAppointment(id: $id, startsAt: $at) { id status } }`,
  cancelAppointment: `mutation($id: ID!) { cancelAppointment(id: $id) { id status } }`,
  fileReport: `mutation($input: FileReportInput!) { fileReport(input: $input) { id status } }`,
};

const BULKY_WASTE = {
  typeCode: 'bulky-waste-collection',
  data: {
    pickupAddress: { street: 'Via Roma', number: '1', postcode: '10100' },
    items: [{ kind: 'mattress' }],
    phone: '+39 011 555 1234',
  },
};
const MARRIAGE = {
  typeCode: 'civil-marriage-request',
  data: {
    spouse: CHIARA,
    preferredDate: inDays(90),
    venue: 'council-hall',
    witnesses: [CHILD, 'BNCGPP70A01H501T'],
    email: 'mario.rossi@example.org',
  },
};
const REPORT = {
  category: 'road-damage',
  description: 'Buca davanti al civico 12.',
  latitude: 45.07,
  longitude: 7.68,
};

describe.each(['sqlite', 'postgresql'] as const)('write scopes of apps, in practices (%s)', (driver) => {
  let h: Harness;
  let staff: string;
  let calendar: string;
  let slots: string[];

  const app = (scopes: Scope[]) =>
    h.issuer.bearer({
      kind: 'client',
      comune: COMUNE,
      clientId: 'sportello-tascabile',
      scopes,
      onBehalfOf: { fiscalCode: MARIO, actsFor: [CHILD] },
      tokenId: randomBytes(6).toString('hex'),
    });

  beforeAll(async () => {
    h = await startHarness(driver);
    staff = await h.staff(['practices', 'suap', 'anagrafe', 'tributi'], 'urp.bianchi');
    const calendars = await h.graphql<any>(`{ officeCalendars(office: "anagrafe") { id } }`);
    calendar = calendars.data.officeCalendars[0].id;
    const free = await h.graphql<any>(
      `query($c: ID!, $f: String) { availableSlots(calendarId: $c, from: $f, days: 14) { startsAt } }`,
      { c: calendar, f: inDays(1) },
    );
    slots = free.data.availableSlots.map((slot: { startsAt: string }) => slot.startsAt);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists every change an app can make for a citizen', () => {
    const written = Object.entries(PRACTICES_MUTATION_SCOPES)
      .filter(([, scope]) => scope !== null)
      .map(([name]) => name);
    expect(Object.keys(WRITES).sort()).toEqual(written.sort());
  });

  describe.each(Object.entries(WRITES))('%s', (mutation, query) => {
    it('refuses an app with the practices read scope only, naming practices:write, and changes nothing', async () => {
      const before = h.events.length;
      const answer = await h.graphql(
        query,
        {
          id: NO_SUCH_ID,
          input: mutation === 'fileReport' ? REPORT : BULKY_WASTE,
          data: {},
          calendar,
          at: slots[0],
        },
        await app(['openid', 'practices']),
      );
      expect(answer.data).toBeNull();
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'SCOPE_REQUIRED',
        scope: 'practices:write',
      });
      expect(answer.errors?.[0]?.message).toContain('"practices:write" scope');
      await h.drainEvents();
      expect(h.events.length).toBe(before);
    });
  });

  it('refuses an attachment upload from an app with the read scope only', async () => {
    const draft = await h.graphql<any>(
      WRITES.createPracticeDraft!,
      { input: BULKY_WASTE },
      await h.citizen(),
    );
    const response = await fetch(
      `${h.url}/attachments?practiceId=${draft.data.createPracticeDraft.id}&kind=other&filename=a.pdf`,
      {
        method: 'POST',
        headers: { authorization: await app(['practices']), 'content-type': 'application/pdf' },
        body: PDF,
      },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'FORBIDDEN', reason: 'SCOPE_REQUIRED', scope: 'practices:write' },
    });
  });

  /**
   * The citizen's side from start to end with `bearer`, each change checked: drafts, attachments,
   * payment, submission, messages, an integration answered, a withdrawal, an appointment booked,
   * moved and cancelled, a report.
   */
  async function journey(bearer: string, slot: number): Promise<string[]> {
    const done: string[] = [];
    const ok = async (mutation: string, variables: Record<string, unknown>, as = bearer) => {
      const answer = await h.graphql<any>(WRITES[mutation] ?? mutation, variables, as);
      expect(answer.errors, mutation).toBeUndefined();
      if (as === bearer) done.push(mutation);
      return Object.values(answer.data as Record<string, any>)[0];
    };
    const upload = async (practiceId: string, kind: string) => {
      const response = await fetch(
        `${h.url}/attachments?practiceId=${practiceId}&kind=${kind}&filename=${kind}.pdf`,
        {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'application/pdf' },
          body: PDF,
        },
      );
      expect(response.status).toBe(201);
      return ((await response.json()) as { attachment: { id: string } }).attachment.id;
    };

    const marriage = await ok('createPracticeDraft', { input: { typeCode: MARRIAGE.typeCode } });
    await ok('savePracticeData', { id: marriage.id, data: MARRIAGE.data });
    await ok('removePracticeAttachment', { id: await upload(marriage.id, 'other') });
    await upload(marriage.id, 'identity-document');
    await upload(marriage.id, 'banns');
    expect((await ok('requestPracticePayment', { id: marriage.id })).status).toBe('PAYMENT_PENDING');

    const waste = await ok('createPracticeDraft', { input: BULKY_WASTE });
    expect((await ok('submitPractice', { id: waste.id })).status).toBe('REGISTERED');
    await ok('postPracticeMessage', { id: waste.id });
    await ok(`mutation($id: ID!) { takePracticeInCharge(id: $id) { id } }`, { id: waste.id }, staff);
    await ok(
      `mutation($id: ID!) { requestPracticeIntegration(id: $id, message: "A che piano?") { id } }`,
      { id: waste.id },
      staff,
    );
    expect((await ok('answerPracticeIntegration', { id: waste.id })).status).toBe('REGISTERED');
    expect((await ok('withdrawPractice', { id: waste.id })).status).toBe('WITHDRAWN');

    const appointment = await ok('bookAppointment', { calendar, at: slots[slot] });
    await ok('moveAppointment', { id: appointment.id, at: slots[slot + 1] });
    expect((await ok('cancelAppointment', { id: appointment.id })).status).toBe('CANCELLED');
    await ok('fileReport', { input: REPORT });
    return done;
  }

  it('lets an app with practices:write make every change', async () => {
    const done = await journey(await app(['openid', 'practices', 'practices:write']), 2);
    expect(new Set(done)).toEqual(new Set(Object.keys(WRITES)));
  });

  it('lets the citizen signed in themselves make every change, without any scope', async () => {
    const done = await journey(await h.citizen(), 6);
    expect(new Set(done)).toEqual(new Set(Object.keys(WRITES)));
  });
});
