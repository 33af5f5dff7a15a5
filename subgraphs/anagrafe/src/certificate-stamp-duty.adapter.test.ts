import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, noticeCheckDigits, type EventEnvelope } from '@sportello/schema';
import { pdfText } from './test-support/pdf-text.js';
import { COMUNE, PEOPLE, startAnagrafe, today, type TestAnagrafe } from './test-support/harness.js';
import { addDays, todayIn } from '@sportello/platform';

const CERTIFICATE = 'id kinds stampDuty stampDutyText verificationCode downloadUrl';
const REQUEST_FIELDS = `id status kinds holderFiscalCode use stampDutyAmountCents noticeNumber paymentDueDate paidAt certificate { ${CERTIFICATE} }`;
const REQUEST = `mutation ($input: CertificateRequestInput!) { requestCertificate(input: $input) { ${REQUEST_FIELDS} } }`;
const MINE = `{ myCertificateRequests(first: 100) { nodes { ${REQUEST_FIELDS} } } }`;

interface RequestAnswer {
  id: string;
  status: string;
  stampDutyAmountCents: number | null;
  noticeNumber: string | null;
  paymentDueDate: string | null;
  paidAt: string | null;
  certificate: Record<string, string> | null;
}

/** A valid pagoPA notice number (aux digit 3, segregation code 01). */
function noticeNumber(): string {
  const first16 = `301${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;
  return `${first16}${noticeCheckDigits(first16)}`;
}

function positionCreated(requestId: string, notice: string, payer: string) {
  return createEvent('payment.position-created', {
    comune: COMUNE,
    subject: randomUUID(),
    actor: { kind: 'system', id: 'certificate-fees' },
    data: {
      positionId: randomUUID(),
      noticeNumber: notice,
      amountCents: 1600,
      dueDate: addDays(today(), 30),
      payerFiscalCode: payer,
      creditorFiscalCode: '83000390019',
      description: 'Imposta di bollo - Certificato di residenza',
      instalment: null,
      kind: 'other',
      externalRef: requestId,
    },
  });
}

function paymentReceived(requestId: string, notice: string, payer: string, paidAt: string) {
  return createEvent('payment.received', {
    comune: COMUNE,
    subject: randomUUID(),
    actor: { kind: 'system', id: 'pagopa' },
    data: {
      positionId: randomUUID(),
      noticeNumber: notice,
      amountCents: 1600,
      payerFiscalCode: payer,
      paidAt,
      externalRef: requestId,
    },
  });
}

describe.each(['sqlite', 'postgresql'] as const)('certificate stamp duty through pagoPA (%s)', (driver) => {
  let t: TestAnagrafe;
  beforeAll(async () => {
    t = await startAnagrafe({}, driver);
  });
  afterAll(async () => {
    await t?.close();
  });

  const mine = async (fiscalCode: string) => {
    const answer = await t.graphql(MINE, { as: t.citizen(fiscalCode) });
    expect(answer.errors).toBeUndefined();
    return (answer.data?.['myCertificateRequests'] as { nodes: RequestAnswer[] }).nodes;
  };
  const requestOf = async (fiscalCode: string, id: string) =>
    (await mine(fiscalCode)).find((request) => request.id === id);
  const issuedFor = (certificateId: string) =>
    t.events.filter(
      (event: EventEnvelope) =>
        event.type === 'certificate.issued' &&
        (event.data as { certificateId: string }).certificateId === certificateId,
    );

  it('waits for the 16 EUR stamp duty, claiming it paid nowhere, and issues once however often the receipt arrives', async () => {
    const mario = PEOPLE.mario.fiscalCode;
    const asked = await t.graphql(REQUEST, {
      as: t.citizen(mario),
      variables: { input: { kinds: ['RESIDENCE'], use: 'uso privato' } },
    });
    expect(asked.errors).toBeUndefined();
    const pending = asked.data?.['requestCertificate'] as RequestAnswer;
    expect(pending).toMatchObject({
      status: 'AWAITING_PAYMENT',
      stampDutyAmountCents: 1600,
      noticeNumber: null,
      paidAt: null,
      certificate: null,
    });
    expect(pending.paymentDueDate).toBe(addDays(today(), 30));
    expect(JSON.stringify(asked)).not.toMatch(/PAID|assolta/);

    // Tributi is asked for the notice; nothing is issued yet.
    await t.settle();
    const requested = t.events.filter(
      (event) =>
        event.type === 'certificate.payment-requested' &&
        (event.data as { requestId: string }).requestId === pending.id,
    );
    expect(requested.map((event) => event.data)).toEqual([
      expect.objectContaining({
        requesterFiscalCode: mario,
        holderFiscalCode: mario,
        externalRef: pending.id,
        amountCents: 1600,
        kinds: ['residence'],
      }),
    ]);
    expect(t.events.filter((event) => event.type === 'certificate.issued')).toHaveLength(0);
    const certificates = await t.citizenFields(
      mario,
      'certificates { nodes { id stampDuty } }',
      t.citizen(mario),
    );
    expect(JSON.stringify(certificates.data)).not.toContain('PAID');

    // The notice tributi made shows on the request.
    const notice = noticeNumber();
    await t.bus.publish(positionCreated(pending.id, notice, mario));
    await expect.poll(async () => (await requestOf(mario, pending.id))?.noticeNumber).toBe(notice);
    expect(await requestOf(mario, pending.id)).toMatchObject({
      status: 'AWAITING_PAYMENT',
      certificate: null,
    });

    // A receipt for a reference no request has changes nothing; the request's own receipt issues
    // the certificate, once, even delivered twice or sent again.
    await t.bus.publish(paymentReceived(randomUUID(), noticeNumber(), mario, new Date().toISOString()));
    const paidAt = new Date(Date.now() - 60_000).toISOString();
    const receipt = paymentReceived(pending.id, notice, mario, paidAt);
    await t.bus.publish(receipt);
    await t.bus.publish({ ...receipt });
    await t.bus.publish(paymentReceived(pending.id, notice, mario, paidAt));
    await expect.poll(async () => (await requestOf(mario, pending.id))?.status).toBe('ISSUED');
    const issued = (await requestOf(mario, pending.id))!;
    const certificate = issued.certificate!;
    expect(issued.paidAt).toBe(paidAt);
    expect(certificate).toMatchObject({ kinds: ['RESIDENCE'], stampDuty: 'PAID' });
    expect(certificate['stampDutyText']).toContain(`avviso n. ${notice}`);
    expect(certificate['stampDutyText']).toContain(`IUV ${notice.slice(1)}`);

    await t.settle();
    await expect.poll(() => issuedFor(certificate['id']!)).toHaveLength(1);
    expect(
      t.events.filter(
        (event) => event.type === 'certificate.issued' && event.actor?.id === 'certificate-stamp-duty',
      ),
    ).toHaveLength(1);
    expect(issuedFor(certificate['id']!)[0]!.data).toMatchObject({ stampDuty: 'paid' });
    const [year, month, day] = todayIn('Europe/Rome', new Date(paidAt)).split('-');
    const pdf = await t.get(`/certificates/${certificate['id']}.pdf`, t.citizen(mario));
    expect(pdf.status).toBe(200);
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain(`avviso n. ${notice}`);
    expect(text).toContain(`IUV ${notice.slice(1)}`);
    expect(text).toContain(`pagato il ${day}/${month}/${year}`);
    expect(text).not.toContain('in modo virtuale');

    const all = await mine(mario);
    expect(all.filter((request) => request.id === pending.id)).toHaveLength(1);
    const again = await t.citizenFields(mario, 'certificates { nodes { id } }', t.citizen(mario));
    const ids = (again.data?.['_entities'] as Array<{ certificates: { nodes: Array<{ id: string }> } }>)[0]!
      .certificates.nodes;
    expect(ids.filter((row) => row.id === certificate['id'])).toHaveLength(1);
  });

  it('issues at once with an exemption from the legal list, and the PDF names the ground', async () => {
    const chiara = PEOPLE.chiara.fiscalCode;
    const before = t.events.filter((event) => event.type === 'certificate.payment-requested').length;
    const asked = await t.graphql(REQUEST, {
      as: t.citizen(chiara),
      variables: {
        input: { kinds: ['RESIDENCE', 'FAMILY'], use: 'iscrizione scolastica', exemption: 'SCHOOL' },
      },
    });
    expect(asked.errors).toBeUndefined();
    const request = asked.data?.['requestCertificate'] as RequestAnswer;
    expect(request).toMatchObject({
      status: 'ISSUED',
      stampDutyAmountCents: null,
      noticeNumber: null,
      certificate: { stampDuty: 'EXEMPT' },
    });
    const pdf = await t.get(`/certificates/${request.certificate!['id']}.pdf`, t.citizen(chiara));
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    expect(text).toContain(
      'Esente da bollo ai sensi dell’art. 11 Tabella B D.P.R. 642/1972 (uso scolastico)',
    );
    expect(text).not.toMatch(/pagoPA|assolta/);
    await t.settle();
    expect(t.events.filter((event) => event.type === 'certificate.payment-requested')).toHaveLength(before);
    expect((await mine(chiara)).map((row) => row.id)).toContain(request.id);
  });

  it('closes a waiting request whose notice the office cancelled, issuing nothing', async () => {
    const paolo = PEOPLE.paolo.fiscalCode;
    const asked = await t.graphql(REQUEST, {
      as: t.citizen(paolo),
      variables: { input: { kinds: ['RESIDENCE'], use: 'uso privato' } },
    });
    expect(asked.errors).toBeUndefined();
    const pending = asked.data?.['requestCertificate'] as RequestAnswer;
    const cancelled = createEvent('payment.position-cancelled', {
      comune: COMUNE,
      subject: randomUUID(),
      actor: { kind: 'staff', id: 'tributi.verdi' },
      data: {
        positionId: randomUUID(),
        noticeNumber: noticeNumber(),
        payerFiscalCode: paolo,
        reason: 'Avviso emesso per errore',
        externalRef: pending.id,
      },
    });
    await t.bus.publish(cancelled);
    await t.bus.publish({ ...cancelled });
    await expect.poll(async () => (await requestOf(paolo, pending.id))?.status).toBe('CANCELLED');
    expect(await requestOf(paolo, pending.id)).toMatchObject({ certificate: null, paidAt: null });
  });

  it('shows a request whose notice could not be made as failed, with the reason, and takes a new request', async () => {
    const giulia = PEOPLE.giulia.fiscalCode;
    const ask = () =>
      t.graphql(REQUEST, {
        as: t.citizen(giulia),
        variables: { input: { kinds: ['RESIDENCE'], use: 'uso privato' } },
      });
    const asked = await ask();
    expect(asked.errors).toBeUndefined();
    const pending = asked.data?.['requestCertificate'] as RequestAnswer;
    const refused = createEvent('payment.fee-refused', {
      comune: COMUNE,
      subject: pending.id,
      actor: { kind: 'system', id: 'certificate-fees' },
      data: {
        externalRef: pending.id,
        payerFiscalCode: giulia,
        reason: 'year: must be a year from 2000 to 2100, got 2101',
      },
    });
    await t.bus.publish(refused);
    await t.bus.publish({ ...refused });
    await expect.poll(async () => (await requestOf(giulia, pending.id))?.status).toBe('PAYMENT_FAILED');
    const failed = (
      await t.graphql(`{ myCertificateRequests { nodes { id failureReason } } }`, {
        as: t.citizen(giulia),
      })
    ).data?.['myCertificateRequests'] as { nodes: { id: string; failureReason: string | null }[] };
    expect(failed.nodes.find((row) => row.id === pending.id)?.failureReason).toBe(
      'year: must be a year from 2000 to 2100, got 2101',
    );

    // The registry office sees it too, when the citizen asks at the counter (the read audited).
    const atCounter = await t.citizenFields(
      giulia,
      'certificateRequests { totalCount nodes { id status failureReason } }',
      t.staff('anagrafe'),
    );
    expect(atCounter.errors).toBeUndefined();
    const counterRows = (
      atCounter.data?.['_entities'] as {
        certificateRequests: {
          totalCount: number;
          nodes: { id: string; status: string; failureReason: string | null }[];
        };
      }[]
    )[0]!.certificateRequests;
    expect(counterRows.totalCount).toBe(counterRows.nodes.length);
    expect(counterRows.nodes.find((row) => row.id === pending.id)).toEqual({
      id: pending.id,
      status: 'PAYMENT_FAILED',
      failureReason: 'year: must be a year from 2000 to 2100, got 2101',
    });
    expect((await t.audited()).flatMap((a) => a.resources)).toContain('Citizen.certificateRequests');

    // A receipt arriving later for it issues nothing; a new request waits for a notice of its own.
    await t.bus.publish(paymentReceived(pending.id, noticeNumber(), giulia, new Date().toISOString()));
    const again = await ask();
    expect(again.errors).toBeUndefined();
    expect(again.data?.['requestCertificate']).toMatchObject({ status: 'AWAITING_PAYMENT' });
    expect(await requestOf(giulia, pending.id)).toMatchObject({
      status: 'PAYMENT_FAILED',
      certificate: null,
    });
  });

  it('asks an anonymous caller to sign in to list requests', async () => {
    const anonymous = await t.graphql(MINE);
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
