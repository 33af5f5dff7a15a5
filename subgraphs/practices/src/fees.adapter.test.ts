/* eslint-disable @typescript-eslint/no-explicit-any -- answers are read loosely; the assertions check their shape */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landOccupationDraft } from '@sportello/test-support';
import { createEvent, makeNoticeNumber, type EventEnvelope } from '@sportello/schema';
import { CHIARA, CHILD, COMUNE, MARIO, startHarness, type Harness } from './test-support/harness.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x20), Buffer.from('\n%%EOF\n')]);
const CREDITOR = '83000390019';

const FIELDS = /* GraphQL */ `
  id status protocolNumber availableActions
  fee { amountCents status noticeNumber dueDate paidAt exemptionReason }
  timeline { action from to note }
`;
const CREATE = `mutation($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { ${FIELDS} } }`;
const SUBMIT = `mutation($id: ID!) { submitPractice(id: $id) { ${FIELDS} } }`;
const REQUEST_PAYMENT = `mutation($id: ID!) { requestPracticePayment(id: $id) { ${FIELDS} } }`;
const EXEMPT = `mutation($id: ID!, $reason: String!) { exemptPracticeFee(id: $id, reason: $reason) { ${FIELDS} } }`;
const GET = `query($id: ID!) { practice(id: $id) { ${FIELDS} } }`;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** A public-land occupation: a fee of 32 EUR charged on submission, no attachment required. */
const LAND_OCCUPATION = landOccupationDraft();

/** A civil marriage: 150 EUR the citizen asks to pay before submitting. */
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

let iuv = BigInt(Date.now()) % 1_000_000_000_000n;

describe.each(['sqlite', 'postgresql'] as const)('practice fees (%s)', (driver) => {
  let h: Harness;
  let mario: string;

  beforeAll(async () => {
    h = await startHarness(driver);
    mario = await h.citizen();
  });
  afterAll(async () => {
    await h?.close();
  });

  const call = async (query: string, variables: Record<string, unknown>, bearer = mario) => {
    const answer = await h.graphql<any>(query, variables, bearer);
    return answer;
  };
  const ok = async (query: string, variables: Record<string, unknown>, bearer = mario) => {
    const answer = await call(query, variables, bearer);
    expect(answer.errors).toBeUndefined();
    return Object.values(answer.data as Record<string, any>)[0];
  };
  const practice = (id: string) => ok(GET, { id });
  const upload = async (practiceId: string, kind: string) => {
    const response = await fetch(
      `${h.url}/attachments?practiceId=${practiceId}&kind=${kind}&filename=${kind}.pdf`,
      { method: 'POST', headers: { authorization: mario, 'content-type': 'application/pdf' }, body: PDF },
    );
    expect(response.status).toBe(201);
  };
  const requestOf = async (practiceId: string) => {
    await h.service.flushOutbox();
    let found: EventEnvelope | undefined;
    await expect
      .poll(() => {
        found = h.events
          .filter((e) => e.type === 'practice.payment-requested' && e.subject === practiceId)
          .at(-1);
        return found;
      })
      .toBeDefined();
    return found!.data as { externalRef: string; amountCents: number; dueDate: string; description: string };
  };

  /** What tributi announces once it made the position of a fee request. */
  const positionCreated = (externalRef: string, amountCents: number) => {
    const positionId = randomUUID();
    const noticeNumber = makeNoticeNumber({ segregationCode: '02', iuvBase: iuv++ });
    const event = createEvent('payment.position-created', {
      comune: COMUNE,
      subject: positionId,
      actor: { kind: 'system', id: 'practice-fees' },
      data: {
        positionId,
        noticeNumber,
        amountCents,
        dueDate: inDays(30),
        payerFiscalCode: MARIO,
        creditorFiscalCode: CREDITOR,
        description: 'Occupazione di suolo pubblico',
        instalment: null,
        kind: 'other',
        externalRef,
      },
    });
    return { positionId, noticeNumber, event };
  };
  const received = (
    position: { positionId: string; noticeNumber: string },
    externalRef: string,
    amountCents: number,
  ) =>
    createEvent('payment.received', {
      comune: COMUNE,
      subject: position.positionId,
      actor: { kind: 'client', id: 'pagopa' },
      data: {
        positionId: position.positionId,
        noticeNumber: position.noticeNumber,
        amountCents,
        payerFiscalCode: MARIO,
        paidAt: new Date().toISOString(),
        externalRef,
      },
    });

  it('asks for the fee on submission, shows the notice, and registers the practice once the receipt arrives (once, however often it is delivered)', async () => {
    const draft = await ok(CREATE, { input: LAND_OCCUPATION });
    expect(draft.fee).toMatchObject({ amountCents: 3200, status: 'NOT_REQUESTED', noticeNumber: null });
    expect(draft.availableActions).toContain('SUBMIT');

    const submitted = await ok(SUBMIT, { id: draft.id });
    expect(submitted).toMatchObject({ status: 'PAYMENT_PENDING', protocolNumber: null });
    expect(submitted.fee).toMatchObject({ amountCents: 3200, status: 'REQUESTED' });
    const request = await requestOf(draft.id);
    expect(request).toMatchObject({
      externalRef: draft.id,
      amountCents: 3200,
      description: 'Occupazione di suolo pubblico',
      dueDate: inDays(30),
    });
    // Submitting again does not ask twice.
    expect((await call(SUBMIT, { id: draft.id })).errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
    });

    const position = positionCreated(draft.id, 3200);
    await h.bus.publish(position.event);
    await expect
      .poll(async () => (await practice(draft.id)).fee)
      .toMatchObject({
        status: 'TO_PAY',
        noticeNumber: position.noticeNumber,
        dueDate: inDays(30),
      });

    const receipt = received(position, draft.id, 3200);
    await h.bus.publish(receipt);
    await h.bus.publish({ ...receipt });
    await expect.poll(async () => (await practice(draft.id)).status).toBe('REGISTERED');
    const registered = await practice(draft.id);
    expect(registered.protocolNumber).toMatch(/^\d{4}\/\d{6}$/);
    expect(registered.fee).toMatchObject({ status: 'PAID', paidAt: expect.any(String) });
    expect(registered.timeline.map((entry: any) => entry.action)).toEqual([
      'create',
      'request-payment',
      'confirm-payment',
      'submit-after-payment',
      'register',
    ]);
    await h.service.flushOutbox();
    await expect
      .poll(() => h.events.filter((e) => e.type === 'practice.submitted' && e.subject === draft.id))
      .toHaveLength(1);
  });

  it('refuses to submit a type that asks for payment first, until the citizen has paid the notice they asked for', async () => {
    const draft = await ok(CREATE, { input: MARRIAGE });
    expect(draft.availableActions).toContain('REQUEST_PAYMENT');
    expect(draft.availableActions).not.toContain('SUBMIT');
    await upload(draft.id, 'identity-document');

    // The form must be complete before paying: the missing attachment is named.
    const incomplete = await call(REQUEST_PAYMENT, { id: draft.id });
    expect(incomplete.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'attachments/banns',
    });
    await upload(draft.id, 'banns');

    const refused = await call(SUBMIT, { id: draft.id });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PAYMENT_REQUIRED' });
    expect(refused.errors?.[0]?.message).toContain('150,00 EUR');

    const pending = await ok(REQUEST_PAYMENT, { id: draft.id });
    expect(pending).toMatchObject({
      status: 'PAYMENT_PENDING',
      fee: { status: 'REQUESTED', amountCents: 15000 },
    });
    const { externalRef } = await requestOf(draft.id);
    const position = positionCreated(externalRef, 15000);
    await h.bus.publish(position.event);
    await h.bus.publish(received(position, externalRef, 15000));
    await expect.poll(async () => (await practice(draft.id)).status).toBe('PAYMENT_SUCCEEDED');
    expect((await practice(draft.id)).availableActions).toContain('SUBMIT');

    const registered = await ok(SUBMIT, { id: draft.id });
    expect(registered).toMatchObject({ status: 'REGISTERED', fee: { status: 'PAID' } });
    expect(registered.protocolNumber).toMatch(/^\d{4}\/\d{6}$/);
  });

  it('lets the citizen ask again after the notice was cancelled, under a new reference', async () => {
    const draft = await ok(CREATE, { input: LAND_OCCUPATION });
    await ok(SUBMIT, { id: draft.id });
    const first = await requestOf(draft.id);
    const position = positionCreated(first.externalRef, 3200);
    await h.bus.publish(position.event);
    await h.bus.publish(
      createEvent('payment.position-cancelled', {
        comune: COMUNE,
        subject: position.positionId,
        actor: { kind: 'staff', id: 'tributi.bianchi' },
        data: {
          positionId: position.positionId,
          noticeNumber: position.noticeNumber,
          payerFiscalCode: MARIO,
          reason: 'Importo errato',
          externalRef: first.externalRef,
        },
      }),
    );
    await expect.poll(async () => (await practice(draft.id)).status).toBe('PAYMENT_FAILED');
    expect((await practice(draft.id)).fee.status).toBe('CANCELLED');

    const again = await ok(REQUEST_PAYMENT, { id: draft.id });
    expect(again).toMatchObject({
      status: 'PAYMENT_PENDING',
      fee: { status: 'REQUESTED', noticeNumber: null },
    });
    await h.service.flushOutbox();
    await expect
      .poll(() =>
        h.events
          .filter((e) => e.type === 'practice.payment-requested' && e.subject === draft.id)
          .map((e) => (e.data as { externalRef: string }).externalRef),
      )
      .toEqual([draft.id, `${draft.id}#2`]);
    // A late receipt of the old notice does not count for the new request.
    await h.bus.publish(received(position, first.externalRef, 3200));
    expect((await practice(draft.id)).status).toBe('PAYMENT_PENDING');
  });

  it('lets staff of the office exempt a practice from its fee, with the reason, and nobody else', async () => {
    const staff = await h.staff(['tributi'], 'tributi.rossi');
    const otherOffice = await h.staff(['practices'], 'urp.bianchi');

    // A draft exempted: it is submitted and registered without any payment.
    const draft = await ok(CREATE, { input: LAND_OCCUPATION });
    const noReason = await call(EXEMPT, { id: draft.id, reason: '   ' }, staff);
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const forbidden = await call(EXEMPT, { id: draft.id, reason: 'Evento patrocinato' }, otherOffice);
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const byCitizen = await call(EXEMPT, { id: draft.id, reason: 'Evento patrocinato' });
    expect(byCitizen.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect((await practice(draft.id)).fee.status).toBe('NOT_REQUESTED');

    const exempted = await ok(EXEMPT, { id: draft.id, reason: 'Evento patrocinato dal Comune' }, staff);
    expect(exempted).toMatchObject({
      status: 'DRAFT',
      fee: { status: 'EXEMPT', exemptionReason: 'Evento patrocinato dal Comune' },
    });
    expect(exempted.timeline.at(-1)).toMatchObject({
      action: 'exempt-fee',
      note: 'Evento patrocinato dal Comune',
    });
    const again = await call(EXEMPT, { id: draft.id, reason: 'ancora' }, staff);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'FEE_EXEMPT' });
    expect((await practice(draft.id)).availableActions).not.toContain('REQUEST_PAYMENT');
    const registered = await ok(SUBMIT, { id: draft.id });
    expect(registered).toMatchObject({ status: 'REGISTERED', fee: { status: 'EXEMPT' } });

    // A practice already waiting for payment: registered at once, and tributi told to cancel the notice.
    const waiting = await ok(CREATE, { input: LAND_OCCUPATION });
    await ok(SUBMIT, { id: waiting.id });
    const position = positionCreated(waiting.id, 3200);
    await h.bus.publish(position.event);
    await expect.poll(async () => (await practice(waiting.id)).fee.status).toBe('TO_PAY');
    const waived = await ok(EXEMPT, { id: waiting.id, reason: 'ISEE sotto soglia' }, staff);
    expect(waived).toMatchObject({
      status: 'REGISTERED',
      fee: { status: 'EXEMPT', exemptionReason: 'ISEE sotto soglia' },
    });
    expect(waived.timeline.map((entry: any) => entry.action).slice(-3)).toEqual([
      'waive-payment',
      'submit-after-payment',
      'register',
    ]);
    await h.service.flushOutbox();
    await expect
      .poll(() => h.events.filter((e) => e.type === 'practice.fee-exempted' && e.subject === waiting.id))
      .toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ externalRef: waiting.id, reason: 'ISEE sotto soglia' }),
        }),
      ]);

    // A free practice has no fee to exempt from.
    const free = await ok(CREATE, {
      input: { typeCode: 'access-to-records', data: {} },
    });
    expect(free.fee).toBeNull();
    const noFee = await call(EXEMPT, { id: free.id, reason: 'x' }, await h.staff(['practices']));
    expect(noFee.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'NO_FEE' });
  });
});
