import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '@sportello/platform';
import type { FakeIo, FakeTelegram, SmtpSink } from '@sportello/test-support';
import {
  createEvent,
  makeNoticeNumber,
  type Actor,
  type AnyEvent,
  type EventDataInput,
  type EventOf,
  type EventType,
} from '@sportello/schema';
import type { NotifierHandle } from './index.js';
import {
  COMUNE,
  fiscalCodes,
  smtpPeerSettings,
  startNotifierScene,
  telegramPeerSettings,
  type NotifierScene,
  type TestCitizen,
} from './test-support/harness.js';

const TOKEN = '123456:notices-test-token';
const IO_KEY = 'io-key-for-notices';
const PRACTICE_ID = '019a1c2e-7b3d-7c11-9f00-5d2a3b4c5d6e';

/** Italian with email, IO and Telegram; English with email and Telegram; German with email and IO. */
const [italian, english, german] = fiscalCodes(3, 30_000) as [string, string, string];
const CHATS: Record<string, string> = { [italian]: '700001', [english]: '700002' };
const EMAILS: Record<string, string> = {
  [italian]: 'giulia@example.org',
  [english]: 'john@example.org',
  [german]: 'hans@example.org',
};

let scene: NotifierScene;
let smtp: SmtpSink;
let telegram: FakeTelegram;
let io: FakeIo;
let bus: EventBus;
let notifier: NotifierHandle;

beforeAll(async () => {
  const citizens: TestCitizen[] = [
    {
      fiscalCode: italian,
      email: EMAILS[italian],
      emailVerified: true,
      ioEnabled: true,
      preferredLanguage: 'it',
    },
    {
      fiscalCode: english,
      email: EMAILS[english],
      emailVerified: true,
      ioEnabled: false,
      preferredLanguage: 'en',
    },
    {
      fiscalCode: german,
      email: EMAILS[german],
      emailVerified: true,
      ioEnabled: true,
      preferredLanguage: 'de',
    },
  ];
  scene = await startNotifierScene({
    prefix: 'notifier-notices-',
    citizens,
    zones: {},
    telegram: { token: TOKEN },
    io: { apiKey: IO_KEY, senders: [italian, german], ratePerSecond: 100 },
    telegramChats: Object.entries(CHATS).map(([fiscalCode, chatId]) => ({ fiscalCode, chatId })),
    config: (peers) => ({
      smtp: smtpPeerSettings(peers.smtp),
      telegram: telegramPeerSettings(peers.telegram.apiRoot, TOKEN),
    }),
  });
  ({ smtp, telegram, io, notifier, bus } = scene);
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

/** What a citizen received for one event, per channel, as they read it (markup and escapes removed). */
interface Received {
  email: Array<{ subject: string; text: string }>;
  telegram: string[];
  io: Array<{ subject: string; text: string }>;
}

/** App IO markdown as the app shows it: escapes removed. */
const unescapeMarkdown = (markdown: string) => markdown.replace(/(?<!\\)\*\*/g, '').replace(/\\(.)/g, '$1');

/**
 * Publishes an event and waits until the notifier has nothing left to send for it; then answers what
 * each of the three citizens received since.
 */
async function publishAndCollect(event: AnyEvent): Promise<Record<string, Received>> {
  const before = { mails: smtp.mails.length, chats: telegram.sent.length, io: io.messages.length };
  await bus.publish(event);
  await expect
    .poll(
      async () => {
        const counts = (await notifier.store.counts([event.id])).get(event.id);
        if (counts === undefined) return 'nothing planned yet';
        return [...counts.values()].reduce((pending, c) => pending + c.planned + c.failed, 0);
      },
      { timeout: 30_000 },
    )
    .toBe(0);
  const mails = smtp.mails.slice(before.mails);
  const chats = telegram.sent.slice(before.chats);
  const ios = io.messages.slice(before.io);
  return Object.fromEntries(
    [italian, english, german].map((fiscalCode) => [
      fiscalCode,
      {
        email: mails
          .filter((mail) => mail.envelope.to.includes(EMAILS[fiscalCode]!))
          .map((mail) => ({ subject: mail.parsed.subject ?? '', text: mail.parsed.text ?? '' })),
        telegram: chats.filter((chat) => chat.chatId === CHATS[fiscalCode]).map((chat) => chat.plainText),
        io: ios
          .filter((message) => message.fiscalCode === fiscalCode)
          .map((message) => {
            const content = message.body['content'] as { subject: string; markdown: string };
            return { subject: content.subject, text: unescapeMarkdown(content.markdown) };
          }),
      },
    ]),
  );
}

/** Exactly one message on each channel the citizen has, and nothing on the others. */
function expectOnePerChannel(received: Received, channels: Array<keyof Received>) {
  for (const channel of ['email', 'telegram', 'io'] as const) {
    expect(received[channel], channel).toHaveLength(channels.includes(channel) ? 1 : 0);
  }
}

/**
 * Publishes the event and answers what `fiscalCode` received for it, once checked that it is exactly
 * one message on each of `channels`.
 */
async function receivedBy(fiscalCode: string, event: AnyEvent, channels: Array<keyof Received>) {
  const received = (await publishAndCollect(event))[fiscalCode]!;
  expectOnePerChannel(received, channels);
  return received;
}

/** An event of the comune under test about `subject`, caused by `actor`. */
function eventAbout<T extends EventType>(
  type: T,
  subject: string,
  actor: Actor | null,
  data: EventDataInput<T>,
  occurredAt?: Date,
): EventOf<T> {
  return createEvent(type, { comune: COMUNE, subject, actor, data, ...(occurredAt && { occurredAt }) });
}

const staff = (id: string): Actor => ({ kind: 'staff', id });
const system = (id: string): Actor => ({ kind: 'system', id });
const citizen = (id: string): Actor => ({ kind: 'citizen', id });

/** Every message of every channel, as one text per channel (subject and body). */
function texts(received: Received): string[] {
  return [
    ...received.email.map((m) => `${m.subject}\n${m.text}`),
    ...received.telegram,
    ...received.io.map((m) => `${m.subject}\n${m.text}`),
  ];
}

/** A text without its links (which carry ids on purpose). */
const withoutLinks = (text: string) => text.replace(/https?:\/\/\S+/g, '');

const practiceFields = (applicant: string) => ({
  practiceId: PRACTICE_ID,
  typeCode: 'bulky-waste-collection',
  typeTitle: 'Ritiro rifiuti ingombranti a domicilio',
  office: 'practices',
  applicantFiscalCode: applicant,
});

/** A change of the bulky-waste practice of `applicant`, made by `actor`. */
const practiceStatusChanged = (
  applicant: string,
  actor: Actor,
  change: Omit<EventDataInput<'practice.status-changed'>, keyof ReturnType<typeof practiceFields>>,
) =>
  eventAbout('practice.status-changed', PRACTICE_ID, actor, {
    ...practiceFields(applicant),
    onBehalfOfFiscalCode: null,
    ...change,
  });

const appointment = (citizen: string) => ({
  appointmentId: 'appointment-1',
  office: 'anagrafe',
  citizenFiscalCode: citizen,
  startsAt: '2026-12-10T09:00:00Z',
  endsAt: '2026-12-10T09:20:00Z',
  practiceId: null,
});

describe('a staff message on a practice', () => {
  it('reaches the applicant with the message itself, the practice’s title and protocol number, once per channel', async () => {
    const event = eventAbout('practice.message-posted', PRACTICE_ID, staff('pratiche.rossi'), {
      ...practiceFields(italian),
      protocolNumber: '2026/000123',
      messageId: 'message-1',
      author: 'staff',
      text: 'Il ritiro è fissato per martedì 15 dicembre.\nLasci gli oggetti davanti al portone.',
    });
    const received = await receivedBy(italian, event, ['email', 'telegram', 'io']);
    expect(received.email[0]!.subject).toBe(
      "Ritiro rifiuti ingombranti a domicilio: nuovo messaggio dall'ufficio",
    );
    for (const text of texts(received)) {
      expect(text).toContain('Il ritiro è fissato per martedì 15 dicembre.');
      expect(text).toContain('Lasci gli oggetti davanti al portone.');
      expect(text).toContain('Ritiro rifiuti ingombranti a domicilio');
      expect(text).toContain('2026/000123');
      expect(withoutLinks(text)).not.toContain('bulky-waste-collection');
      expect(withoutLinks(text)).not.toContain(PRACTICE_ID);
    }
  });

  it('tells nobody of the citizen’s own message', async () => {
    const own = eventAbout('practice.message-posted', PRACTICE_ID, citizen('citizen-1'), {
      ...practiceFields(italian),
      messageId: 'message-2',
      author: 'citizen',
    });
    expect(await notifier.planner.planEvent(own)).toEqual({ status: 'ignored' });
  });
});

describe('practice changes', () => {
  it('give the protocol number on registration and call a take-in-charge note a note, in English', async () => {
    const registered = practiceStatusChanged(english, system('protocol'), {
      protocolNumber: '2026/000124',
      from: 'submitted',
      to: 'registered',
    });
    const onRegistration = await receivedBy(english, registered, ['email', 'telegram']);
    expect(onRegistration.email[0]!.subject).toBe(
      'Ritiro rifiuti ingombranti a domicilio: application registered (no. 2026/000124)',
    );
    for (const text of texts(onRegistration)) {
      expect(text).toContain(
        'Your application "Ritiro rifiuti ingombranti a domicilio" has been registered with number 2026/000124.',
      );
      expect(withoutLinks(text)).not.toContain(PRACTICE_ID);
    }

    const takenInCharge = practiceStatusChanged(english, staff('pratiche.rossi'), {
      protocolNumber: '2026/000124',
      from: 'registered',
      to: 'taken-in-charge',
      note: 'Mario Rossi will handle your request.',
    });
    const onTakeInCharge = await receivedBy(english, takenInCharge, ['email', 'telegram']);
    for (const text of texts(onTakeInCharge)) {
      expect(text).toContain('Note from the office: Mario Rossi will handle your request.');
      expect(text).not.toContain('Reason');
    }
  });
});

describe('a practice filed for someone else', () => {
  it('reaches both the applicant and the person they act for, each in their language', async () => {
    const accepted = practiceStatusChanged(english, staff('pratiche.rossi'), {
      onBehalfOfFiscalCode: german,
      protocolNumber: '2026/000125',
      from: 'processing',
      to: 'accepted',
    });
    const received = await publishAndCollect(accepted);
    expectOnePerChannel(received[english]!, ['email', 'telegram']);
    expectOnePerChannel(received[german]!, ['email', 'io']);
    expectOnePerChannel(received[italian]!, []);
    expect(received[english]!.email[0]!.subject).toBe(
      'Ritiro rifiuti ingombranti a domicilio: application accepted (no. 2026/000125)',
    );
    expect(received[german]!.email[0]!.subject).toBe(
      'Ritiro rifiuti ingombranti a domicilio: Antrag angenommen (Nr. 2026/000125)',
    );
  });
});

describe('a delegation that ended at the child’s 18th birthday', () => {
  it('is told to both the new adult and the parent, once per channel, each in their language', async () => {
    const ended = eventAbout('delegation.ended', 'delegation-1', system('delegation-expiry'), {
      delegationId: 'delegation-1',
      kind: 'minor-child',
      delegator: german,
      delegate: italian,
      reason: 'majority',
      endedAt: '2026-12-07T23:00:00Z',
      majorityOn: '2026-12-08',
    });
    const received = await publishAndCollect(ended);
    expectOnePerChannel(received[german]!, ['email', 'io']);
    expectOnePerChannel(received[italian]!, ['email', 'telegram', 'io']);
    expectOnePerChannel(received[english]!, []);
    for (const text of texts(received[italian]!)) {
      expect(text).toContain(
        'Il 08/12/2026 il figlio o la figlia per cui agiva un genitore ha compiuto 18 anni',
      );
    }
    for (const text of texts(received[german]!)) {
      expect(text).toContain('Am 08.12.2026 ist der Sohn oder die Tochter');
    }
  });
});

describe('appointments changed by the office', () => {
  it('tell the citizen the new time when the office moves the appointment', async () => {
    const moved = (actor: Actor) =>
      eventAbout('appointment.changed', 'appointment-1', actor, {
        ...appointment(italian),
        previousStartsAt: '2026-12-09T08:30:00Z',
      });
    const received = await receivedBy(italian, moved(staff('anagrafe.bianchi')), ['email', 'telegram', 'io']);
    expect(received.email[0]!.subject).toBe(
      'Appuntamento spostato: Ufficio anagrafe, ora il 10/12/2026, 10:00',
    );
    for (const text of texts(received)) {
      expect(text).toContain(
        "L'ufficio ha spostato il tuo appuntamento del 09/12/2026, 09:30: il nuovo orario è 10/12/2026, 10:00.",
      );
    }

    const movedByThemselves = moved(citizen('citizen-1'));
    expect(await notifier.planner.planEvent(movedByThemselves)).toEqual({ status: 'ignored' });
  });

  it('tell the citizen, in German, that the office cancelled the appointment and why', async () => {
    const cancelled = eventAbout('appointment.cancelled', 'appointment-2', staff('anagrafe.bianchi'), {
      ...appointment(german),
      cancelledBy: 'staff',
      reason: 'Sportello chiuso per sciopero.',
    });
    const received = await receivedBy(german, cancelled, ['email', 'io']);
    expect(received.email[0]!.subject).toBe('Termin abgesagt: Meldeamt, 10.12.2026, 10:00');
    for (const text of texts(received)) {
      expect(text).toContain('Das Amt hat Ihren Termin vom 10.12.2026, 10:00 abgesagt.');
      expect(text).toContain('Grund: Sportello chiuso per sciopero.');
    }

    const ownCancellation = eventAbout('appointment.cancelled', 'appointment-2', citizen('citizen-3'), {
      ...appointment(german),
      cancelledBy: 'citizen',
    });
    expect(await notifier.planner.planEvent(ownCancellation)).toEqual({ status: 'ignored' });
  });
});

describe('a change of residence', () => {
  /** The office's decision on residence-change request `requestId`. */
  const residenceChange = (
    requestId: string,
    change: Omit<EventDataInput<'residence-change.status-changed'>, 'requestId'>,
    occurredAt?: Date,
  ) =>
    eventAbout(
      'residence-change.status-changed',
      requestId,
      staff('anagrafe.bianchi'),
      { requestId, ...change },
      occurredAt,
    );

  it('tells the applicant of the obstacles, with the reasons and the 10 days to reply, then of the outcome', async () => {
    const obstacles = residenceChange(
      'request-1',
      {
        applicantFiscalCode: italian,
        from: 'registered',
        to: 'obstacles-notified',
        note: "All'indirizzo dichiarato la polizia locale non ha trovato nessuno.",
      },
      new Date('2026-12-07T10:00:00Z'),
    );
    const received = await receivedBy(italian, obstacles, ['email', 'telegram', 'io']);
    expect(received.email[0]!.subject).toBe('Cambio di residenza: comunicazione dei motivi ostativi');
    for (const text of texts(received)) {
      expect(text).toContain("All'indirizzo dichiarato la polizia locale non ha trovato nessuno.");
      expect(text).toContain('entro il 17/12/2026');
    }

    const accepted = residenceChange('request-2', {
      applicantFiscalCode: english,
      from: 'registered',
      to: 'accepted',
    });
    const outcome = await receivedBy(english, accepted, ['email', 'telegram']);
    expect(outcome.email[0]!.subject).toBe('Change of residence: accepted');
    for (const text of texts(outcome)) expect(text).toContain('your new residence is confirmed');
  });

  it('tells every adult moving under the declaration, each on their own channels and in their language', async () => {
    const rejected = residenceChange('request-3', {
      applicantFiscalCode: english,
      from: 'obstacles-notified',
      to: 'rejected',
      note: 'No reply to the notice of obstacles.',
      adultMoverFiscalCodes: [german],
    });
    const received = await publishAndCollect(rejected);
    expectOnePerChannel(received[english]!, ['email', 'telegram']);
    expectOnePerChannel(received[german]!, ['email', 'io']);
    expectOnePerChannel(received[italian]!, []);
    expect(received[english]!.email[0]!.subject).toBe('Change of residence: declaration rejected');
    expect(received[german]!.email[0]!.subject).toBe('Wohnsitzwechsel: Erklärung abgelehnt');
    for (const text of [...texts(received[english]!), ...texts(received[german]!)]) {
      expect(text).toContain('No reply to the notice of obstacles.');
    }
  });
});

describe('a certificate that waited for its stamp duty', () => {
  const issued = (stampDuty: 'paid' | 'exempt', certificateId: string) =>
    eventAbout('certificate.issued', certificateId, system('anagrafe-stamp-duty'), {
      certificateId,
      requesterFiscalCode: german,
      holderFiscalCode: german,
      kinds: ['residence'],
      stampDuty,
      validUntil: '2027-06-07',
    });

  it('tells the citizen it is ready once paid, with the download on the public origin', async () => {
    const certificateId = '019b0000-0000-7000-8000-00000000c3a1';
    const received = await receivedBy(german, issued('paid', certificateId), ['email', 'io']);
    expect(received.email[0]!.subject).toBe('Ihre Bescheinigung ist fertig');
    for (const text of texts(received)) {
      expect(text).toContain(`https://servizi.comune.example/certificates/${certificateId}.pdf`);
      expect(text).toContain('07.06.2027');
    }
  });

  it('says nothing of an exempt certificate, issued while the citizen asked for it', async () => {
    const exempt = issued('exempt', '019b0000-0000-7000-8000-00000000c3a2');
    expect(await notifier.planner.planEvent(exempt)).toEqual({ status: 'ignored' });
  });
});

describe('an identity document that became invalid', () => {
  it('tells a paper-card holder, in German, that the card is no longer valid and how to get a CIE', async () => {
    const expired = eventAbout('document.expired', 'document-1', system('document-expiry'), {
      documentId: 'document-1',
      holderFiscalCode: german,
      kind: 'paper',
      expiredOn: '2026-08-03',
    });
    const received = await receivedBy(german, expired, ['email', 'io']);
    expect(received.email[0]!.subject).toBe(
      'Ihr Dokument (Personalausweis in Papierform) ist nicht mehr gültig',
    );
    for (const text of texts(received)) {
      expect(text).toContain('Ihr Personalausweis in Papierform ist am 03.08.2026 abgelaufen');
      expect(text).toContain('auch wenn ein späteres Ablaufdatum aufgedruckt ist');
      expect(text).toContain('elektronischen Personalausweis (CIE)');
    }
  });
});

/** A payment position of the Italian citizen, owed to the comune. */
const payment = (positionId: string, noticeNumber: string, amountCents: number, dueDate: string) => ({
  positionId,
  noticeNumber,
  amountCents,
  dueDate,
  payerFiscalCode: italian,
  creditorFiscalCode: '83000390019',
});

describe('a payment notice', () => {
  it('reaches the payer with the amount, due date and notice code, and App IO with the payment data', async () => {
    const noticeNumber = makeNoticeNumber({ segregationCode: '02', iuvBase: '0320027000004' });
    const created = eventAbout('payment.position-created', 'position-10', staff('tributi.neri'), {
      ...payment('position-10', noticeNumber, 2_000, '2026-12-31'),
      description: 'Permesso di sosta per residenti',
      instalment: null,
      kind: 'other',
    });
    const received = await receivedBy(italian, created, ['email', 'telegram', 'io']);
    expect(received.email[0]!.subject).toBe('Nuovo avviso di pagamento: Permesso di sosta per residenti');
    for (const text of texts(received)) {
      // (The amount is formatted with a no-break space before the euro sign.)
      expect(text).toMatch(
        /Comune di Prova ti ha inviato un avviso di pagamento di 20,00\s€ da pagare entro il 31\/12\/2026\./,
      );
      expect(text).toContain(noticeNumber.replace(/(\d{4})(?=\d)/g, '$1 '));
    }
    const ioMessage = io.messages.findLast((message) => message.fiscalCode === italian)!;
    expect(ioMessage.body).toMatchObject({
      content: { payment_data: { amount: 2_000, notice_number: noticeNumber } },
    });

    const cancelled = eventAbout('payment.position-cancelled', 'position-10', staff('tributi.neri'), {
      positionId: 'position-10',
      noticeNumber,
      payerFiscalCode: english,
      reason: 'Issued twice by mistake.',
    });
    const told = await receivedBy(english, cancelled, ['email', 'telegram']);
    for (const text of texts(told)) {
      expect(text).toContain('it must not be paid');
      expect(text).toContain('Reason: Issued twice by mistake.');
    }
  });
});

describe('a payment reminder', () => {
  it('names the creditor as "Comune di …" on every channel', async () => {
    const noticeNumber = makeNoticeNumber({ segregationCode: '02', iuvBase: '0320027000003' });
    const due = eventAbout('payment.due-soon', 'position-9', null, {
      ...payment('position-9', noticeNumber, 4_500, '2026-12-16'),
      description: 'TARI 2026, seconda rata',
      instalment: 2,
      offsetDays: 7,
    });
    const received = await receivedBy(italian, due, ['email', 'telegram', 'io']);
    for (const text of texts(received)) expect(text).toContain('Ente creditore: Comune di Prova');
  });
});
