import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createInProcessBus, type EventBus } from '@sportello/platform';
import {
  metricSample,
  type TestIssuer,
  type FakeIo,
  type FakeTelegram,
  type SmtpSink,
} from '@sportello/test-support';
import { createEvent, makeNoticeNumber, type EventEnvelope } from '@sportello/schema';
import { DeliveryEntity } from './entities/delivery.entity.js';
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

/** The figure: a zone of 10,000 residents. */
const N = 10_000;
const TOKEN = '123456:notifier-test-token';
const IO_KEY = 'io-key-for-tests';
const PUBLIC_CHANNEL = '@comune_di_prova';

const residents = fiscalCodes(N);
const withEmail = residents.filter((_, i) => i % 5 === 0);
const withIo = residents.filter((_, i) => i % 4 === 0);
const withTelegram = residents.filter((_, i) => i % 7 === 0);
/** Turned email off for civil-protection alerts. */
const emailOptOut = withEmail.filter((_, i) => i % 5 === 0);
const chatOf = (fiscalCode: string) => String(500_000 + residents.indexOf(fiscalCode));

let scene: NotifierScene;
let identity: NotifierScene['identity'];
let smtp: SmtpSink;
let telegram: FakeTelegram;
let io: FakeIo;
let issuer: TestIssuer;
let bus: EventBus;
let notifier: NotifierHandle;
let url: string;
const statsEvents: EventEnvelope[] = [];

const alert = (colour: 'red' | 'yellow', zones = ['Z1']) =>
  createEvent('alert.issued', {
    comune: COMUNE,
    subject: `alert-${colour}`,
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: `alert-${colour}-${Math.random().toString(36).slice(2)}`,
      hazard: 'hydraulic',
      colour,
      zones,
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo: '2026-11-24T12:00:00+01:00',
      phase: colour === 'red' ? 'alarm' : 'attention',
      critical: colour === 'red',
    },
  });

async function graphql(query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown>;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

/** Waits until no delivery of the event is still on its way. */
function settled(eventId: string, timeout = 60_000) {
  return vi.waitFor(
    async () => {
      const counts = (await notifier.store.counts([eventId])).get(eventId);
      const pending = [...(counts?.values() ?? [])].reduce((sum, c) => sum + c.planned + c.failed, 0);
      if (!counts || pending > 0) {
        throw new Error(`deliveries of ${eventId} not settled: ${JSON.stringify([...(counts ?? [])])}`);
      }
      return counts;
    },
    { timeout, interval: 100 },
  );
}

beforeAll(async () => {
  const citizens: TestCitizen[] = residents.map((fiscalCode, i) => ({
    fiscalCode,
    ...(i % 5 === 0 ? { email: `r${i}@example.org`, emailVerified: true } : {}),
    ioEnabled: i % 4 === 0,
    preferredLanguage: i % 10 === 0 ? 'de' : 'it',
  }));
  bus = createInProcessBus();
  await bus.listen('sportello.*.notifier.>', (event) => void statsEvents.push(event));
  scene = await startNotifierScene({
    prefix: 'notifier-test-',
    citizens,
    zones: { Z1: residents, Z2: residents.slice(0, 10) },
    telegram: { token: TOKEN, perSecond: 100, burst: 30 },
    io: { apiKey: IO_KEY, senders: withIo, ratePerSecond: 1000 },
    telegramChats: withTelegram.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
    prepare: async (identity) => {
      await identity.database
        .fork({ comune: COMUNE })
        .execute(
          `update citizen set preferences = json_set(preferences, '$."civil-protection-alerts".email', json('false')) where fiscal_code in (${emailOptOut.map(() => '?').join(',')})`,
          [...emailOptOut],
        );
    },
    bus,
    config: (peers) => ({
      smtp: smtpPeerSettings(peers.smtp, 2000),
      telegram: telegramPeerSettings(peers.telegram.apiRoot, TOKEN, {
        publicChannel: PUBLIC_CHANNEL,
        ratePerSecond: 100,
      }),
    }),
  });
  ({ identity, smtp, telegram, io, issuer, notifier, url } = scene);
}, 180_000);

afterAll(async () => {
  await (scene ? scene.close() : bus?.close());
});

describe('a red alert for a zone of 10,000 residents', () => {
  let event: ReturnType<typeof alert>;

  beforeAll(async () => {
    event = alert('red');
    await bus.publish(event);
    await settled(event.id, 300_000);
  }, 360_000);

  it('reaches every resident exactly once on every linked channel, opt-outs notwithstanding', async () => {
    const counts = (await notifier.store.counts([event.id])).get(event.id)!;
    expect(counts.get('email')).toMatchObject({ sent: withEmail.length, dead: 0, uncertain: 0 });
    expect(counts.get('io')).toMatchObject({ sent: withIo.length, dead: 0, uncertain: 0 });
    // Every linked chat plus one post to the comune's public channel.
    expect(counts.get('telegram')).toMatchObject({ sent: withTelegram.length + 1, dead: 0, uncertain: 0 });

    await smtp.waitForMails(withEmail.length);
    const byAddress = new Map<string, number>();
    for (const mail of smtp.mails)
      for (const to of mail.envelope.to) byAddress.set(to, (byAddress.get(to) ?? 0) + 1);
    expect(byAddress.size).toBe(withEmail.length);
    expect([...byAddress.values()].every((n) => n === 1)).toBe(true);
    // Opted out of alert emails, but a red alert reaches them anyway.
    expect(byAddress.get(`r${residents.indexOf(emailOptOut[0]!)}@example.org`)).toBe(1);

    const byChat = new Map<string, number>();
    for (const message of telegram.sent) byChat.set(message.chatId, (byChat.get(message.chatId) ?? 0) + 1);
    expect(byChat.size).toBe(withTelegram.length + 1);
    expect([...byChat.values()].every((n) => n === 1)).toBe(true);
    expect(byChat.get(PUBLIC_CHANNEL)).toBe(1);
    expect(telegram.tooManyRequests).toBe(0);

    const byFiscalCode = new Map<string, number>();
    for (const message of io.messages)
      byFiscalCode.set(message.fiscalCode, (byFiscalCode.get(message.fiscalCode) ?? 0) + 1);
    expect([...byFiscalCode.keys()].sort()).toEqual([...withIo].sort());
    expect([...byFiscalCode.values()].every((n) => n === 1)).toBe(true);
  });

  it('writes in the recipient’s language and rings only for the red alert', async () => {
    const german = residents[0]!; // index 0: German, email, IO and Telegram
    const mail = smtp.mails.find((m) => m.envelope.to.includes('r0@example.org'))!;
    expect(mail.parsed.subject).toMatch(/ALARMSTUFE ROT/);
    const chat = telegram.sent.find((m) => m.chatId === chatOf(german))!;
    expect(chat.plainText).toMatch(/ALARMSTUFE ROT/);
    expect(chat.disableNotification).toBe(false);
    const italian = smtp.mails.find((m) => m.envelope.to.includes('r5@example.org'))!; // index 5: Italian, email
    expect(italian.parsed.subject).toMatch(/ALLERTA ROSSA/);
  });

  it('changes nothing when the event is delivered again', async () => {
    const before = { mails: smtp.mails.length, chats: telegram.sent.length, io: io.messages.length };
    await bus.publish(event);
    const outcome = await notifier.planner.planEvent(event);
    expect(outcome).toEqual({ status: 'duplicate' });
    await notifier.dispatcher.runOnce();
    expect({ mails: smtp.mails.length, chats: telegram.sent.length, io: io.messages.length }).toEqual(before);
  });

  it('shows staff the counts per channel, and live stats events reach the bus', async () => {
    const staff = await issuer.sign({
      kind: 'staff',
      comune: COMUNE,
      username: 'pc.rossi',
      offices: ['civil-protection'],
      tokenId: 'staff-1',
    });
    const answer = await graphql(
      `
        query ($id: ID!) {
          deliveryStats(eventId: $id) {
            eventType
            channels {
              channel
              planned
              sent
              failed
              dead
              uncertain
            }
          }
        }
      `,
      { id: event.id },
      staff,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.deliveryStats).toEqual({
      eventType: 'alert.issued',
      channels: [
        { channel: 'EMAIL', planned: 0, sent: withEmail.length, failed: 0, dead: 0, uncertain: 0 },
        { channel: 'TELEGRAM', planned: 0, sent: withTelegram.length + 1, failed: 0, dead: 0, uncertain: 0 },
        { channel: 'IO', planned: 0, sent: withIo.length, failed: 0, dead: 0, uncertain: 0 },
      ],
    });
    // Throttled while the fan-out runs: at most one event per interval (100 ms in these tests) for
    // the same source event. (A flush, below, sends the final figures at once.)
    const times = statsEvents
      .filter((e) => (e.data as { eventId: string }).eventId === event.id)
      .map((e) => Date.parse(e.occurredAt));
    expect(times.length).toBeLessThan(N / 5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(90);

    await notifier.stats.flush();
    const last = statsEvents.filter((e) => (e.data as { eventId: string }).eventId === event.id).at(-1);
    expect(last?.type).toBe('delivery.stats-changed');
    expect((last?.data as { channels: unknown }).channels).toMatchObject({
      email: { sent: withEmail.length, planned: 0 },
      io: { sent: withIo.length },
    });
  });
});

describe('what operators see', () => {
  it('answers /ready and exposes deliveries by state, the backlog and the consumer at /metrics', async () => {
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(
      metricSample(text, 'sportello_notifier_deliveries', { channel: 'email', state: 'sent' }),
    ).toBeGreaterThanOrEqual(withEmail.length);
    expect(
      metricSample(text, 'sportello_notifier_deliveries', { channel: 'telegram', state: 'uncertain' }),
    ).toBe(0);
    expect(
      metricSample(text, 'sportello_notifier_delivery_backlog', { channel: 'email', lane: 'critical' }) ?? 0,
    ).toBe(0);
    expect(
      metricSample(text, 'sportello_consumer_events_total', {
        consumer: 'notifier',
        lane: 'critical',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricSample(text, 'sportello_notifier_attempts_total', { channel: 'io', outcome: 'sent' }),
    ).toBeGreaterThanOrEqual(withIo.length);
    expect(
      metricSample(text, 'sportello_notifier_planned_recipients_total', { lane: 'critical' }),
    ).toBeGreaterThanOrEqual(N);
    expect(metricSample(text, 'sportello_notifier_telegram_bot_up', { mode: 'polling' })).toBe(1);
    expect(metricSample(text, 'sportello_notifier_notifications_planning')).toBe(0);
  });
});

describe('uncertain deliveries', () => {
  it('are counted for staff and requeued in bulk by an admin, one event and channel at a time', async () => {
    const event = alert('yellow', ['Z2']);
    await bus.publish(event);
    await settled(event.id);
    // As if two Telegram answers had been lost after sending.
    const em = notifier.database.forkUnscoped();
    const rows = await em.find(DeliveryEntity, {
      eventId: event.id,
      channel: { $in: ['telegram', 'email'] },
    });
    const telegramRows = rows.filter((row) => row.channel === 'telegram').slice(0, 2);
    await em.nativeUpdate(
      DeliveryEntity,
      { id: { $in: telegramRows.map((row) => row.id) } },
      { status: 'uncertain' },
    );
    const sentBefore = telegram.sent.length;

    const staffOf = (offices: Array<'civil-protection' | 'admin'>) =>
      issuer.sign({
        kind: 'staff',
        comune: COMUNE,
        username: 'admin.bianchi',
        offices,
        tokenId: `t-${offices[0]}`,
      });
    const replay = `mutation ($id: ID!) { replayUncertainDeliveries(eventId: $id, channel: TELEGRAM) }`;
    const refused = await graphql(replay, { id: event.id }, await staffOf(['civil-protection']));
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const stats = await graphql(
      `
        query ($id: ID!) {
          deliveryStats(eventId: $id) {
            channels {
              channel
              uncertain
            }
          }
        }
      `,
      { id: event.id },
      await staffOf(['civil-protection']),
    );
    expect(stats.data?.deliveryStats).toMatchObject({
      channels: expect.arrayContaining([{ channel: 'TELEGRAM', uncertain: telegramRows.length }]),
    });

    const requeued = await graphql(replay, { id: event.id }, await staffOf(['admin']));
    expect(requeued.data?.replayUncertainDeliveries).toBe(telegramRows.length);
    await settled(event.id);
    expect(telegram.sent.length - sentBefore).toBe(telegramRows.length);
    expect(await em.count(DeliveryEntity, { eventId: event.id, status: 'uncertain' })).toBe(0);
  });
});

describe('a yellow alert', () => {
  it('honours opt-outs', async () => {
    const event = alert('yellow');
    const mailsBefore = smtp.mails.length;
    await bus.publish(event);
    // 10,000 residents on every channel: a machine busy with other suites has taken close to a minute.
    const counts = await settled(event.id, 150_000);
    expect(counts.get('email')?.sent).toBe(withEmail.length - emailOptOut.length);
    await smtp.waitForMails(mailsBefore + withEmail.length - emailOptOut.length);
    const optedOut = `r${residents.indexOf(emailOptOut[1]!)}@example.org`;
    expect(smtp.mails.slice(mailsBefore).some((m) => m.envelope.to.includes(optedOut))).toBe(false);
    const chat = telegram.sent.filter((m) => m.chatId === chatOf(withTelegram[1]!)).at(-1)!;
    expect(chat.disableNotification).toBe(true);
  }, 180_000);
});

describe('a payment due soon', () => {
  it('reaches App IO with the payment data, so it can be paid in the app', async () => {
    const payer = withIo[3]!;
    const noticeNumber = makeNoticeNumber({ segregationCode: '02', iuvBase: '0320027000002' });
    const event = createEvent('payment.due-soon', {
      comune: COMUNE,
      subject: 'position-1',
      actor: null,
      data: {
        positionId: 'position-1',
        noticeNumber,
        amountCents: 10_250,
        dueDate: '2026-12-16',
        payerFiscalCode: payer,
        creditorFiscalCode: '83000390019',
        description: 'IMU 2026, seconda rata',
        instalment: 2,
        offsetDays: 7,
      },
    });
    await bus.publish(event);
    await settled(event.id);
    const message = io.messages.find(
      (m) => m.fiscalCode === payer && JSON.stringify(m.body).includes(noticeNumber),
    );
    expect(message?.status).toBe('PROCESSED');
    expect(message?.body).toMatchObject({
      content: {
        payment_data: { amount: 10_250, notice_number: noticeNumber },
        due_date: expect.stringMatching(/^2026-12-16/),
      },
    });
    expect(JSON.stringify(message?.body)).toContain('IMU 2026');
  });
});

describe('the citizen’s message history', () => {
  it('is readable by the citizen and by nobody else', async () => {
    const owner = withIo[3]!;
    const query = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Citizen { notifications(first: 5) { nodes { eventType subject deliveries { channel status } } } } } }`;
    const reps = [{ __typename: 'Citizen', fiscalCode: owner }];
    const own = await graphql(
      query,
      { reps },
      await issuer.sign({
        kind: 'citizen',
        comune: COMUNE,
        fiscalCode: owner,
        actsFor: [],
        tokenId: 'citizen-1',
      }),
    );
    expect(own.errors).toBeUndefined();
    const messages = (
      own.data?._entities as Array<{
        notifications: {
          nodes: Array<{ eventType: string; deliveries: Array<{ channel: string; status: string }> }>;
        };
      }>
    )[0]!.notifications.nodes;
    expect(messages.map((m) => m.eventType)).toEqual(['payment.due-soon', 'alert.issued', 'alert.issued']);
    expect(messages[0]!.deliveries).toEqual([expect.objectContaining({ channel: 'IO', status: 'SENT' })]);

    const other = await graphql(
      query,
      { reps },
      await issuer.sign({
        kind: 'citizen',
        comune: COMUNE,
        fiscalCode: residents[1]!,
        actsFor: [],
        tokenId: 'citizen-2',
      }),
    );
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('Telegram', () => {
  const citizen = residents[1]!; // no email, no IO, no chat yet
  const chatId = 990_001;

  it('links a chat with /start <token> through identity, and unlinks it when the bot is blocked', async () => {
    const login = await fetch(`${identity.url}/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ subject: citizen }).toString(),
    });
    const citizenToken = ((await login.json()) as { access_token: string }).access_token;
    const identityGraphql = async (query: string) => {
      const response = await fetch(`${identity.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${citizenToken}` },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as { data: Record<string, Record<string, unknown>> };
    };
    const link = await identityGraphql('mutation { createTelegramLink { url } }');
    const startToken = new URL(String(link.data.createTelegramLink!.url)).searchParams.get('start')!;

    await telegram.userSends(chatId, `/start ${startToken}`, { languageCode: 'it' });
    await telegram.waitForSent(1, chatId, 15_000);
    expect((await identityGraphql('{ me { telegramLinked } }')).data.me).toEqual({ telegramLinked: true });

    const accepted = createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: 'practice-42',
      actor: { kind: 'staff', id: 'suap.verdi' },
      data: {
        practiceId: 'practice-42',
        typeCode: 'passo-carrabile',
        office: 'suap',
        applicantFiscalCode: citizen,
        from: 'processing',
        to: 'accepted',
      },
    });
    await bus.publish(accepted);
    await settled(accepted.id);
    const delivered = await telegram.waitForSent(2, chatId);
    expect(delivered[1]!.plainText).toContain('Lo stato della tua pratica è cambiato: ora è accolta.');

    telegram.blockChat(chatId);
    const rejected = createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: 'practice-43',
      actor: { kind: 'staff', id: 'suap.verdi' },
      data: {
        practiceId: 'practice-43',
        typeCode: 'passo-carrabile',
        office: 'suap',
        applicantFiscalCode: citizen,
        from: 'processing',
        to: 'rejected',
      },
    });
    await bus.publish(rejected);
    const counts = await settled(rejected.id);
    expect(counts.get('telegram')).toMatchObject({ dead: 1, sent: 0 });
    // Identity hears of the block right after the delivery is marked dead.
    await expect
      .poll(async () => (await identityGraphql('{ me { telegramLinked } }')).data.me, { timeout: 10_000 })
      .toEqual({ telegramLinked: false });

    // An internal state change tells the citizen nothing.
    const internal = createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: 'practice-43',
      actor: null,
      data: {
        practiceId: 'practice-43',
        typeCode: 'passo-carrabile',
        office: 'suap',
        applicantFiscalCode: citizen,
        from: 'registered',
        to: 'processing',
      },
    });
    expect(await notifier.planner.planEvent(internal)).toEqual({ status: 'ignored' });
  }, 60_000);

  it('stops writing to the chat of a citizen who unlinked Telegram in identity', async () => {
    const unlinking = residents[35]!; // a chat and an email address
    expect(withTelegram).toContain(unlinking);
    const practice = (id: string) =>
      createEvent('practice.status-changed', {
        comune: COMUNE,
        subject: id,
        actor: { kind: 'staff', id: 'suap.verdi' },
        data: {
          practiceId: id,
          typeCode: 'passo-carrabile',
          office: 'suap',
          applicantFiscalCode: unlinking,
          from: 'processing',
          to: 'accepted',
        },
      });
    const before = practice('practice-50');
    await bus.publish(before);
    expect((await settled(before.id)).get('telegram')).toMatchObject({ sent: 1 });

    const unlinked = createEvent('citizen.telegram-unlinked', {
      comune: COMUNE,
      subject: 'citizen-35',
      actor: { kind: 'citizen', id: 'citizen-35' },
      data: { citizenId: 'citizen-35', fiscalCode: unlinking, reason: 'citizen' },
    });
    // The in-process bus resolves once the notifier has handled it.
    await bus.publish(unlinked);
    const toTheChat = () => telegram.sent.filter((message) => message.chatId === chatOf(unlinking)).length;
    const sentBefore = toTheChat();
    const after = practice('practice-51');
    await bus.publish(after);
    const counts = await settled(after.id);
    expect(counts.get('telegram')).toBeUndefined();
    expect(counts.get('email')).toMatchObject({ sent: 1 });
    expect(toTheChat()).toBe(sentBefore);
  }, 30_000);
});
