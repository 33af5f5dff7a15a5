import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '@sportello/platform';
import type { FakeIo, FakeTelegram, ReceivedMail, SmtpSink } from '@sportello/test-support';
import { createEvent, type EventDataInput } from '@sportello/schema';
import type { NotifierHandle } from './index.js';
import {
  COMUNE,
  fiscalCodes,
  startNotifierScene,
  type NotifierScene,
  type TestCitizen,
} from './test-support/harness.js';

/**
 * An alert's whole life as residents live it, through the notifier's real channels (an SMTP
 * server, the Bot API, App IO on loopback): issued red, lowered to orange, cancelled. Each change
 * reaches everyone the red alert reached, opt-outs notwithstanding, on every channel, with the
 * staff's headline and instructions, and one post on the public channel, silent below red.
 */

const TOKEN = '123456:alert-lifecycle-token';
const IO_KEY = 'io-key-lifecycle';
const PUBLIC_CHANNEL = '@comune_allerte';
const PORTAL = 'https://servizi.comune.example/portale';

/** Z1 (the river) and Z2 (the hill): 20 residents each. */
const river = fiscalCodes(20, 100);
const hill = fiscalCodes(20, 200);
const everyone = [...river, ...hill];
const withEmail = everyone.filter((_, i) => i % 2 === 0);
const withIo = everyone.filter((_, i) => i % 3 === 0);
const withTelegram = everyone.filter((_, i) => i % 4 === 0);
/** Turned civil-protection alerts off on every channel. */
const optedOut = everyone.filter((_, i) => i % 3 === 1);
const chatOf = (fiscalCode: string) => String(900_000 + everyone.indexOf(fiscalCode));
const emailOf = (fiscalCode: string) => `p${everyone.indexOf(fiscalCode)}@example.org`;

const ALERT_ID = '01964c3e-8a36-7cc5-9c57-6f1d1b7d5a99';
const HEADLINE = 'Piena del Tanaro: evacuazione dei piani terra';
const INSTRUCTIONS = 'Salire ai piani alti.\nNon usare gli scantinati e i sottopassi.';
const BASE = {
  alertId: ALERT_ID,
  hazard: 'hydraulic',
  validFrom: '2026-11-23T12:00:00+01:00',
  validTo: '2026-11-24T12:00:00+01:00',
  headline: HEADLINE,
  instructions: INSTRUCTIONS,
  wholeComune: false,
} as const;

let scene: NotifierScene;
let smtp: SmtpSink;
let telegram: FakeTelegram;
let io: FakeIo;
let bus: EventBus;
let notifier: NotifierHandle;

const mailsOf = (eventSubject: RegExp) =>
  smtp.mails.filter((mail: ReceivedMail) => eventSubject.test(mail.parsed.subject ?? ''));

beforeAll(async () => {
  const citizens: TestCitizen[] = everyone.map((fiscalCode, i) => ({
    fiscalCode,
    ...(withEmail.includes(fiscalCode) ? { email: emailOf(fiscalCode), emailVerified: true } : {}),
    ioEnabled: withIo.includes(fiscalCode),
    preferredLanguage: i === 2 ? 'en' : 'it',
  }));
  scene = await startNotifierScene({
    prefix: 'notifier-lifecycle-',
    citizens,
    zones: { Z1: river, Z2: hill },
    telegram: { token: TOKEN, perSecond: 100, burst: 30 },
    io: { apiKey: IO_KEY, senders: withIo, ratePerSecond: 1000 },
    telegramChats: withTelegram.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
    prepare: async (identity) => {
      const off = `json('{"email":false,"telegram":false,"io":false}')`;
      await identity.database
        .fork({ comune: COMUNE })
        .execute(
          `update citizen set preferences = json_set(preferences, '$."civil-protection-alerts"', ${off}) where fiscal_code in (${optedOut.map(() => '?').join(',')})`,
          [...optedOut],
        );
    },
    config: ({ smtp, telegram }) => ({
      smtp: {
        host: smtp.host,
        port: smtp.port,
        secure: false,
        ignoreTls: true,
        from: '"Comune di Prova" <allerte@comune.example.it>',
        ratePerSecond: 1000,
      },
      telegram: {
        token: TOKEN,
        apiRoot: telegram.apiRoot,
        webhookSecret: 'webhook-secret',
        webhookUrl: null,
        publicChannel: PUBLIC_CHANNEL,
        ratePerSecond: 100,
        ratePerChatPerSecond: 100,
      },
    }),
  });
  ({ smtp, telegram, io, notifier, bus } = scene);
}, 120_000);

afterAll(async () => {
  await scene?.close();
});

/** Publishes an alert event and waits until every one of its deliveries is sent. */
async function deliver<T extends 'alert.issued' | 'alert.updated' | 'alert.cancelled' | 'alert.expired'>(
  type: T,
  data: EventDataInput<T>,
): Promise<string> {
  const event = createEvent(type, { comune: COMUNE, subject: ALERT_ID, actor: null, data });
  await bus.publish(event);
  await expect
    .poll(
      async () => {
        const counts = (await notifier.store.counts([event.id])).get(event.id);
        const all = [...(counts?.values() ?? [])];
        return all.length > 0 && all.every((c) => c.planned + c.failed === 0);
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBe(true);
  return event.id;
}

/** Who a change reached, per channel (recipients sorted), and its public post: messages matching `marker`. */
function reached(marker: RegExp) {
  return {
    email: smtp.mails
      .filter((m) => marker.test(`${m.parsed.subject ?? ''}\n${m.parsed.text ?? ''}`))
      .flatMap((m) => m.envelope.to)
      .sort(),
    telegram: telegram.sent
      .filter((m) => m.chatId !== PUBLIC_CHANNEL && marker.test(m.plainText))
      .map((m) => m.chatId)
      .sort(),
    io: io.messages
      .filter((m) => marker.test(JSON.stringify(m.body)))
      .map((m) => m.fiscalCode)
      .sort(),
    publicPosts: telegram.sent.filter((m) => m.chatId === PUBLIC_CHANNEL && marker.test(m.plainText)),
  };
}

describe('a red alert lowered to orange, then cancelled', () => {
  const expected = (zone: readonly string[]) => ({
    email: withEmail
      .filter((c) => zone.includes(c))
      .map(emailOf)
      .sort(),
    telegram: withTelegram
      .filter((c) => zone.includes(c))
      .map(chatOf)
      .sort(),
    io: withIo.filter((c) => zone.includes(c)).sort(),
  });

  it('issued red: every resident of the river zone, opted out or not, with the headline and instructions; the public post rings', async () => {
    await deliver('alert.issued', {
      ...BASE,
      colour: 'red',
      zones: ['Z1'],
      zoneNames: ['Lungo fiume'],
      critical: true,
      phase: 'alarm',
      sequence: 1,
    });
    const got = reached(/evacuazione dei piani terra/);
    expect({ email: got.email, telegram: got.telegram, io: got.io }).toEqual(expected(river));
    expect(got.telegram.some((chat) => optedOut.map(chatOf).includes(chat))).toBe(true);

    const mail = mailsOf(/ALLERTA ROSSA/).find((m) => m.envelope.to.includes(emailOf(river[0]!)))!;
    expect(mail.parsed.text).toContain(HEADLINE);
    expect(mail.parsed.text).toContain('Cosa fare: Salire ai piani alti.');
    expect(mail.parsed.text).toContain('Non usare gli scantinati e i sottopassi.');
    expect(mail.parsed.text).toContain('Zona: Lungo fiume');
    expect(mail.parsed.text).toContain(`${PORTAL}/protezione-civile/allerte/${ALERT_ID}`);
    const ioMessage = io.messages.find((m) => m.fiscalCode === withIo.find((c) => river.includes(c)))!;
    expect(JSON.stringify(ioMessage.body)).toContain('Salire ai piani alti');

    expect(got.publicPosts).toHaveLength(1);
    expect(got.publicPosts[0]!.disableNotification).toBe(false);
  });

  it('lowered to orange and widened to the hill: the same lane reaches both zones and says what it replaces; the public post is silent', async () => {
    await deliver('alert.updated', {
      ...BASE,
      colour: 'orange',
      zones: ['Z1', 'Z2'],
      zoneNames: ['Lungo fiume', 'Collina'],
      critical: true,
      phase: 'attention',
      sequence: 2,
      previous: {
        colour: 'red',
        zones: ['Z1'],
        validFrom: BASE.validFrom,
        validTo: BASE.validTo,
        phase: 'alarm',
      },
    });
    const got = reached(/sostituisce l'allerta rossa|replaces the red alert/);
    expect({ email: got.email, telegram: got.telegram, io: got.io }).toEqual(expected(everyone));
    // In each recipient's language: the one English speaker reads English.
    expect(mailsOf(/replaces the red alert/).map((m) => m.envelope.to[0])).toEqual([emailOf(everyone[2]!)]);
    const mail = mailsOf(/sostituisce l'allerta rossa/)[0]!;
    expect(mail.parsed.subject).toBe(
      "Aggiornamento: allerta arancione per rischio idraulico (sostituisce l'allerta rossa)",
    );
    expect(mail.parsed.text).toContain('Zona: Lungo fiume, Collina');
    expect(mail.parsed.text).toContain(HEADLINE);
    expect(got.publicPosts).toHaveLength(1);
    expect(got.publicPosts[0]!.disableNotification).toBe(true);
  });

  it('cancelled: an all-clear for everyone, with the reason, on every channel and the public channel', async () => {
    await deliver('alert.cancelled', {
      ...BASE,
      colour: 'orange',
      zones: ['Z1', 'Z2'],
      zoneNames: ['Lungo fiume', 'Collina'],
      critical: true,
      sequence: 3,
      cancelReason: 'Il livello del fiume è in calo',
    });
    const got = reached(/Il livello del fiume è in calo/);
    expect({ email: got.email, telegram: got.telegram, io: got.io }).toEqual(expected(everyone));
    const mail = mailsOf(/Cessata allerta/)[0]!;
    expect(mail.parsed.subject).toBe("Cessata allerta: revocata l'allerta arancione per rischio idraulico");
    expect(mail.parsed.text).toContain('Motivo: Il livello del fiume è in calo');
    expect(got.publicPosts).toHaveLength(1);
    expect(got.publicPosts[0]!.disableNotification).toBe(true);
  });

  it('a red alert’s all-clear rings on the public channel; a yellow alert reaches only those who want it', async () => {
    await deliver('alert.expired', {
      ...BASE,
      alertId: '01964c3e-8a36-7cc5-9c57-6f1d1b7d5a98',
      colour: 'red',
      zones: ['Z2'],
      zoneNames: ['Collina'],
      critical: true,
    });
    const ended = telegram.sent.filter((m) => m.chatId === PUBLIC_CHANNEL && /terminata/.test(m.plainText));
    expect(ended).toHaveLength(1);
    expect(ended[0]!.disableNotification).toBe(false);

    await deliver('alert.issued', {
      ...BASE,
      alertId: '01964c3e-8a36-7cc5-9c57-6f1d1b7d5a97',
      colour: 'yellow',
      zones: ['Z2'],
      zoneNames: ['Collina'],
      critical: false,
      headline: 'Temporali sulla collina',
    });
    const got = reached(/Temporali sulla collina/);
    const wanting = (list: readonly string[]) =>
      list.filter((c) => hill.includes(c) && !optedOut.includes(c));
    expect(got.email).toEqual(wanting(withEmail).map(emailOf).sort());
    expect(got.telegram).toEqual(wanting(withTelegram).map(chatOf).sort());
    expect(got.publicPosts).toHaveLength(1);
    expect(got.publicPosts[0]!.disableNotification).toBe(true);
  });
});
