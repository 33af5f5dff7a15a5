import { randomBytes } from 'node:crypto';
import { generatePopulation, type DemoHousehold, type DemoPerson } from '@sportello/hub';
import {
  type FakeIo,
  type FakeTelegram,
  type ReceivedMail,
  type SmtpSink,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatIdOf, ioAllows, startChannelPeers, type ChannelPeers } from './support/channel-peers.js';
import { devToken, graphql } from './support/graphql-client.js';
import { liveClients, type LiveClients, type LiveSubscription } from './support/live-client.js';
import { authorizeApp, type AppCredentials } from './support/oauth-flow.js';
import { paymentProviderToken } from './support/payments.js';
import { draftBulkyWasteCollection } from './support/practice-drafts.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

/**
 * The acceptance scenarios of the whole system, in both modes, started as a user starts it and
 * reached only through real clients: the gateway over HTTP and graphql-ws, identity's OAuth pages,
 * and the channel providers the notifier talks to (an SMTP server, the Telegram Bot API, App IO),
 * with every process exporting its spans to an OTLP/HTTP collector.
 */

const HOUSEHOLDS = 120;
const BOT_TOKEN = '7000000001:AAscenarioTestBotTokenForSportello';
const IO_KEY = 'scenario-io-subscription-key';
const PUBLIC_CHANNEL = '@borgosereno_allerte';
const DEMO_APP: AppCredentials = {
  clientId: 'demo-app',
  clientSecret: 'demo-app-secret',
  redirectUri: 'http://localhost:5173/callback',
};
/** The identity seed's language by position in the population (six in Italian, then en, de). */
const LANGUAGES = ['it', 'it', 'it', 'it', 'it', 'it', 'en', 'de'] as const;

/** Today in Italy (`YYYY-MM-DD`): the day tributi's reminders count from. */
function italianToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
}

/** Polls `read` until `done` holds of what it returns. */
async function arrived<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 60_000): Promise<void> {
  await expect.poll(() => done(read()), { timeout: timeoutMs, interval: 250 }).toBe(true);
}

/**
 * Waits until the notifier has nothing left to send for the events of `eventType` it planned since
 * `since` (no delivery planned, claimed, with the provider or to be retried, on any channel): from
 * then on, what the providers received is all they will receive, so a duplicate would be there.
 */
async function deliveriesFinished(
  api: string,
  staffToken: string,
  eventType: string,
  since: number,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const answer = await graphql<{
          recentDeliveryStats: {
            nodes: Array<{
              eventType: string;
              createdAt: string;
              channels: Array<{ planned: number; failed: number }>;
            }>;
          };
        }>(
          api,
          '{ recentDeliveryStats(first: 50) { nodes { eventType createdAt channels { planned failed } } } }',
          {
            token: staffToken,
          },
        );
        const events = (answer.data?.recentDeliveryStats.nodes ?? []).filter(
          (stats) => stats.eventType === eventType && Date.parse(stats.createdAt) >= since - 1_000,
        );
        return (
          events.length > 0 &&
          events.every((stats) =>
            stats.channels.every((channel) => channel.planned === 0 && channel.failed === 0),
          )
        );
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBe(true);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

const mailText = (mail: ReceivedMail) => `${mail.parsed.subject ?? ''}\n${mail.parsed.text ?? ''}`;

describe.each(['embedded', 'distributed'] as const)('acceptance scenarios (%s mode)', (mode) => {
  let hub: RunningHub;
  let peers: ChannelPeers;
  let sink: SmtpSink;
  let telegram: FakeTelegram;
  let io: FakeIo;
  let collector: OtlpReceiver;
  let live: LiveClients;
  let people: DemoPerson[];
  let households: DemoHousehold[];
  let token: (request: Parameters<typeof devToken>[1]) => Promise<string>;

  beforeAll(async () => {
    const comune = mode === 'embedded' ? '999001' : randomComune();
    ({ people, households } = generatePopulation({ households: HOUSEHOLDS, istat: comune }));
    [peers, collector] = await Promise.all([
      startChannelPeers(people, {
        botToken: BOT_TOKEN,
        ioKey: IO_KEY,
        webhookSecret: 'scenario-webhook-secret',
        publicChannel: PUBLIC_CHANNEL,
      }),
      startOtlpReceiver(),
    ]);
    ({ sink, telegram, io } = peers);
    hub = await startHub(mode, {
      households: HOUSEHOLDS,
      comune,
      env: {
        ...peers.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        // Batches every 200 ms instead of 5 s, so the trace test waits less.
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
    live = liveClients(hub.api);
    token = async (request) => (await devToken(hub.identity, request)).access_token;
  }, 330_000);

  afterAll(async () => {
    await live?.dispose();
    await hub?.stop();
    await Promise.all([peers?.close(), collector?.close()]);
  }, 90_000);

  it("lets a third-party app read a citizen's whole overview in one query, on the citizen's grant", async () => {
    // A household head with an email and a TARI instalment the reminder run at start announced.
    const remindedHouseholds = new Set(households.filter((_, i) => i % 10 <= 3).map((h) => h.id));
    const citizen = people.find(
      (p) => p.relationship === 'head' && p.email !== undefined && remindedHouseholds.has(p.householdId),
    )!;
    const appToken = await authorizeApp(hub.identity, DEMO_APP, {
      fiscalCode: citizen.fiscalCode,
      scope: 'openid profile anagrafe tributi practices notifications',
    });
    const overview = `{
      me {
        fiscalCode givenName familyName
        residence { address { street number postcode zone } }
        identityDocuments { kind number expiresOn }
        paymentPositions(first: 50) { totalCount nodes { kind externalRef amountCents status } }
        practices { nodes { id status } }
        notifications(first: 50) { nodes { eventId eventType subject } }
      }
    }`;
    const read = (bearer: string) =>
      graphql<{ me: Record<string, unknown> }>(hub.api, overview, { token: bearer });
    // The reminders the run at start announced are still being planned while the hub warms up (bulk
    // work, behind everything else on a machine busy with other suites).
    const eventTypes = async () =>
      (
        (await read(appToken)).data?.me['notifications'] as
          { nodes: Array<{ eventType: string }> } | undefined
      )?.nodes.map((n) => n.eventType) ?? [];
    await expect.poll(eventTypes, { timeout: 90_000 }).toContain('payment.due-soon');
    const asApp = await read(appToken);
    expect(asApp.errors).toBeUndefined();
    const me = asApp.data!.me as {
      fiscalCode: string;
      givenName: string;
      residence: { address: { street: string; number: string; postcode: string; zone: string } };
      paymentPositions: { totalCount: number; nodes: Array<{ kind: string; externalRef: string | null }> };
      notifications: { nodes: Array<{ eventType: string }> };
    };
    expect(me.fiscalCode).toBe(citizen.fiscalCode);
    expect(me.givenName).toBe(citizen.givenName);
    expect(me.residence.address).toEqual({
      street: citizen.address.street,
      number: citizen.address.number,
      postcode: citizen.address.postcode,
      zone: citizen.address.zone,
    });
    // Every household head pays the household's TARI.
    expect(me.paymentPositions.nodes.map((p) => p.externalRef)).toContainEqual(
      expect.stringMatching(new RegExp(`^TARI-\\d{4}-${citizen.householdId}$`)),
    );
    expect(me.notifications.nodes.map((n) => n.eventType)).toContain('payment.due-soon');
    // The app sees exactly what the citizen sees of themselves, assembled from five services; both
    // are read together, as another reminder may land between two reads.
    const citizenToken = await token({ subject: citizen.fiscalCode });
    const together = async () => {
      const [app, own] = await Promise.all([read(appToken), read(citizenToken)]);
      expect(app.errors).toBeUndefined();
      expect(own.errors).toBeUndefined();
      return { app: app.data, own: own.data };
    };
    let last: Awaited<ReturnType<typeof together>> | undefined;
    await expect
      .poll(
        async () => {
          last = await together();
          return JSON.stringify(last.app) === JSON.stringify(last.own);
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    expect(last!.app?.me['fiscalCode']).toBe(citizen.fiscalCode);
    expect(last!.app).toEqual(last!.own);
  });

  it('brings a submitted practice live to its office; an integration request reaches the citizen by email and Telegram, in their language', async () => {
    // Outside the zone of the red alert below: this citizen unlinks Telegram.
    const index = people.findIndex(
      (p, i) =>
        p.email !== undefined &&
        p.telegram &&
        p.address.zone !== 'fiume' &&
        LANGUAGES[i % LANGUAGES.length] === 'en',
    );
    expect(index).toBeGreaterThanOrEqual(0);
    const citizen = people[index]!;
    const citizenToken = await token({ subject: citizen.fiscalCode });
    const staffToken = await token({ kind: 'staff', office: 'practices' });

    const before = await live.openSubscriptions();
    const queue = live.subscribe(
      live.connect(staffToken),
      'subscription { practiceChanged(office: "practices") { from to practice { id status applicantFiscalCode } } }',
    );
    await expect.poll(() => live.openSubscriptions(), { timeout: 10_000 }).toBe(before + 1);

    const draft = await draftBulkyWasteCollection(hub.api, citizenToken, citizen.address, 'Double mattress');
    expect(draft.errors).toBeUndefined();
    const practiceId = draft.data!.createPracticeDraft.id;
    const submitted = await graphql(hub.api, `mutation { submitPractice(id: "${practiceId}") { status } }`, {
      token: citizenToken,
    });
    expect(submitted.errors).toBeUndefined();

    type Update = { from: string | null; to: string; practice: { id: string } | null };
    const statusesSeen = (subscription: LiveSubscription) =>
      subscription.results
        .map((r) => r.data?.['practiceChanged'] as Update | undefined)
        .filter((update) => update?.practice?.id === practiceId)
        .map((update) => update!.to);
    await expect.poll(() => statusesSeen(queue), { timeout: 15_000 }).toContain('REGISTERED');
    expect(queue.errors).toEqual([]);
    expect(
      queue.results.find((r) => (r.data?.['practiceChanged'] as Update).practice?.id === practiceId)?.data,
    ).toEqual({
      practiceChanged: {
        from: expect.any(String),
        to: expect.any(String),
        practice: { id: practiceId, status: expect.any(String), applicantFiscalCode: citizen.fiscalCode },
      },
    });

    const staffAct = async (mutation: string) => {
      const answer = await graphql<Record<string, { status: string }>>(hub.api, mutation, {
        token: staffToken,
      });
      expect(answer.errors).toBeUndefined();
      return Object.values(answer.data!)[0]!.status;
    };
    expect(await staffAct(`mutation { takePracticeInCharge(id: "${practiceId}") { status } }`)).toBe(
      'TAKEN_IN_CHARGE',
    );
    expect(
      await staffAct(
        `mutation { requestPracticeIntegration(id: "${practiceId}", message: "Please attach a photo of the items.") { status } }`,
      ),
    ).toBe('INTEGRATION_REQUESTED');
    // Each change reaches the queue, resolved as the practice stands when it is delivered.
    await expect.poll(() => statusesSeen(queue), { timeout: 15_000 }).toContain('INTEGRATION_REQUESTED');

    // The email, in English, with the unsubscribe header mail clients turn into a button.
    const integrationMails = () =>
      sink.mails.filter(
        (mail) =>
          mail.envelope.to.includes(citizen.email!) &&
          mailText(mail).includes(practiceId) &&
          /more information needed/.test(mail.parsed.subject ?? ''),
      );
    await expect.poll(() => integrationMails().length, { timeout: 30_000 }).toBe(1);
    const mail = integrationMails()[0]!;
    // Named by the practice type's title, with the office's request itself.
    expect(mail.parsed.subject).toBe('Ritiro rifiuti ingombranti a domicilio: more information needed');
    expect(mail.parsed.text).toContain('Please attach a photo of the items.');
    expect(mail.raw).toMatch(/^Content-Language: en\r?$/m);
    // One-click (RFC 8058): a link of this recipient's own, on the public origin (the header may be folded).
    expect(mail.raw).toMatch(/^List-Unsubscribe:\s*<https?:\/\/\S+\/unsubscribe\?t=\S+>\r?$/m);
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);

    // The Telegram message, to the chat the citizen linked.
    const integrationChats = () =>
      telegram.sent.filter(
        (message) => message.text.includes(practiceId) && /more information needed/.test(message.plainText),
      );
    await expect.poll(() => integrationChats().length, { timeout: 30_000 }).toBe(1);
    expect(integrationChats()[0]!.chatId).toBe(chatIdOf(index));

    const answered = await graphql<{ answerPracticeIntegration: { status: string } }>(
      hub.api,
      `mutation { answerPracticeIntegration(id: "${practiceId}", answer: "Photo attached.") { status } }`,
      { token: citizenToken },
    );
    expect(answered.errors).toBeUndefined();
    // Answered, the practice is registered again and is back in the office's queue.
    await expect
      .poll(() => statusesSeen(queue).slice(statusesSeen(queue).indexOf('INTEGRATION_REQUESTED')), {
        timeout: 15_000,
      })
      .toContain('REGISTERED');

    // A message from the office reaches the citizen with the message itself, once per channel, named
    // by the practice type's title and protocol number.
    const posted = await graphql(
      hub.api,
      `mutation { postPracticeMessage(practiceId: "${practiceId}", body: "The pickup is on Tuesday morning.") { id } }`,
      { token: staffToken },
    );
    expect(posted.errors).toBeUndefined();
    const registered = await graphql<{ practice: { protocolNumber: string | null } }>(
      hub.api,
      `{ practice(id: "${practiceId}") { protocolNumber } }`,
      { token: citizenToken },
    );
    const protocolNumber = registered.data?.practice.protocolNumber;
    expect(protocolNumber).toEqual(expect.any(String));
    const messageMails = () =>
      sink.mails.filter(
        (mail) =>
          mail.envelope.to.includes(citizen.email!) &&
          mailText(mail).includes('The pickup is on Tuesday morning.'),
      );
    const messageChats = () =>
      telegram.sent.filter((message) => message.plainText.includes('The pickup is on Tuesday morning.'));
    await expect.poll(() => messageMails().length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => messageChats().length, { timeout: 30_000 }).toBe(1);
    expect(messageMails()[0]!.parsed.subject).toBe(
      'Ritiro rifiuti ingombranti a domicilio: new message from the office',
    );
    expect(mailText(messageMails()[0]!)).toContain(`Registration number: ${protocolNumber}`);
    expect(messageChats()[0]!.chatId).toBe(chatIdOf(index));

    // The citizen unlinks Telegram: the next request reaches them by email only.
    const unlinked = await graphql<{ unlinkTelegram: { telegramLinked: boolean } }>(
      hub.api,
      'mutation { unlinkTelegram { telegramLinked } }',
      { token: citizenToken },
    );
    expect(unlinked.errors).toBeUndefined();
    expect(unlinked.data?.unlinkTelegram.telegramLinked).toBe(false);
    expect(await staffAct(`mutation { takePracticeInCharge(id: "${practiceId}") { status } }`)).toBe(
      'TAKEN_IN_CHARGE',
    );
    expect(
      await staffAct(
        `mutation { requestPracticeIntegration(id: "${practiceId}", message: "Please also state the weight.") { status } }`,
      ),
    ).toBe('INTEGRATION_REQUESTED');
    await expect.poll(() => integrationMails().length, { timeout: 30_000 }).toBe(2);
    expect(integrationChats()).toHaveLength(1);
  });

  it('notifies every resident of the zone of a red alert once on each of their channels', async () => {
    const zone = 'fiume';
    const residents = people
      .map((person, index) => ({ person, index }))
      .filter(({ person }) => person.address.zone === zone);
    const expectedMails = residents
      .filter(({ person }) => person.email !== undefined)
      .map(({ person }) => person.email!);
    const expectedChats = residents
      .filter(({ person }) => person.telegram)
      .map(({ index }) => chatIdOf(index));
    const expectedIo = residents
      .filter(({ person, index }) => person.io && ioAllows(index))
      .map(({ person }) => person.fiscalCode);
    expect(expectedMails.length).toBeGreaterThan(5);
    expect(expectedChats.length).toBeGreaterThan(2);
    expect(expectedIo.length).toBeGreaterThan(2);

    const staff = await token({ kind: 'staff', office: 'civil-protection' });
    const now = Date.now();
    const issued = await graphql<{ issueAlert: { id: string } }>(
      hub.api,
      'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }',
      {
        token: staff,
        variables: {
          input: {
            hazard: 'HYDRAULIC',
            colour: 'RED',
            zoneCodes: [zone],
            validFrom: new Date(now).toISOString(),
            validUntil: new Date(now + 12 * 3_600_000).toISOString(),
            instructions: 'Salire ai piani alti, non usare gli scantinati.',
          },
        },
      },
    );
    expect(issued.errors).toBeUndefined();
    const alertId = issued.data!.issueAlert.id;

    const mailsOf = () => sink.mails.filter((mail) => mailText(mail).includes(alertId));
    const chatsOf = () => telegram.sent.filter((message) => message.text.includes(alertId));
    const ioOf = () => io.messages.filter((message) => JSON.stringify(message.body).includes(alertId));
    await arrived(mailsOf, (found) => found.length >= expectedMails.length);
    await arrived(chatsOf, (found) => found.length >= expectedChats.length + 1);
    await arrived(ioOf, (found) => found.length >= expectedIo.length);
    // Nothing left to send: a duplicate or a stray message would have reached its peer by now.
    await deliveriesFinished(hub.api, staff, 'alert.issued', now);
    const [mails, chats, ioMessages] = [mailsOf(), chatsOf(), ioOf()];

    const once = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, 1]));
    expect(
      countBy(
        mails.flatMap((mail) => mail.envelope.to),
        (to) => to,
      ),
    ).toEqual(once(expectedMails));
    // Each linked chat once, and one post on the comune's public channel.
    expect(countBy(chats, (message) => message.chatId)).toEqual(once([...expectedChats, PUBLIC_CHANNEL]));
    expect(countBy(ioMessages, (message) => message.fiscalCode)).toEqual(once(expectedIo));
    expect(ioMessages.every((message) => message.status === 'PROCESSED')).toBe(true);
  });

  it('reminds a payer on App IO of a notice falling due, with its payment data; the receipt reaches tributi staff live', async () => {
    const today = italianToday();
    const inAWeek = new Date(Date.parse(`${today}T12:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);
    // Household heads pay TARI; the demo leaves some of their instalments due within the week.
    let payer:
      | {
          person: DemoPerson;
          instalment: { noticeNumber: string; amountCents: number; amountDueTodayCents: number };
        }
      | undefined;
    for (const [index, person] of people.entries()) {
      if (person.relationship !== 'head' || !person.io || !ioAllows(index)) continue;
      const positions = await graphql<{
        me: {
          paymentPositions: {
            nodes: Array<{
              instalments: Array<{
                noticeNumber: string;
                amountCents: number;
                amountDueTodayCents: number;
                dueDate: string;
                status: string;
              }>;
            }>;
          };
        };
      }>(
        hub.api,
        '{ me { paymentPositions(first: 50) { nodes { instalments { noticeNumber amountCents amountDueTodayCents dueDate status } } } } }',
        { token: await token({ subject: person.fiscalCode }) },
      );
      expect(positions.errors).toBeUndefined();
      const dueSoon = positions
        .data!.me.paymentPositions.nodes.flatMap((position) => position.instalments)
        .find((i) => i.status === 'UNPAID' && i.dueDate > today && i.dueDate <= inAWeek);
      if (dueSoon) {
        payer = { person, instalment: dueSoon };
        break;
      }
    }
    expect(payer, 'a payer on IO with a notice due within the week').toBeDefined();
    const { person, instalment } = payer!;

    // tributi's reminder run at start announced it; the notifier sent it to IO with pagoPA data.
    const reminders = () =>
      io.messages.filter(
        (message) =>
          message.fiscalCode === person.fiscalCode &&
          (message.body.content as { payment_data?: { notice_number: string } }).payment_data
            ?.notice_number === instalment.noticeNumber,
      );
    await expect.poll(() => reminders().length, { timeout: 60_000 }).toBeGreaterThan(0);
    for (const reminder of reminders()) {
      expect(reminder.status).toBe('PROCESSED');
      expect((reminder.body.content as { payment_data: unknown }).payment_data).toMatchObject({
        notice_number: instalment.noticeNumber,
        amount: instalment.amountCents,
      });
    }

    const before = await live.openSubscriptions();
    const payments = live.subscribe(
      live.connect(await token({ kind: 'staff', office: 'tributi' })),
      'subscription { paymentReceived { noticeNumber receiptId amountCents positionStatus } }',
    );
    await expect.poll(() => live.openSubscriptions(), { timeout: 10_000 }).toBe(before + 1);

    // The payment provider confirms the payment with its own service credentials.
    const providerToken = await paymentProviderToken(hub.identity);
    const receiptId = `PSP-${randomBytes(6).toString('hex')}`;
    const recorded = await graphql<{ recordPaymentReceipt: { positionStatus: string } }>(
      hub.api,
      'mutation Pay($input: PaymentReceiptInput!) { recordPaymentReceipt(input: $input) { positionStatus } }',
      {
        token: providerToken,
        variables: {
          input: {
            noticeNumber: instalment.noticeNumber,
            amountCents: instalment.amountDueTodayCents,
            paidAt: new Date().toISOString(),
            receiptId,
          },
        },
      },
    );
    expect(recorded.errors).toBeUndefined();

    await expect
      .poll(() => payments.results.map((r) => r.data?.['paymentReceived']), { timeout: 15_000 })
      .toContainEqual({
        noticeNumber: instalment.noticeNumber,
        receiptId,
        amountCents: instalment.amountDueTodayCents,
        positionStatus: recorded.data!.recordPaymentReceipt.positionStatus,
      });
    expect(payments.errors).toEqual([]);
  });
  it("traces a federated query through the gateway and every subgraph it reaches, under the caller's trace", async () => {
    const citizen = people.find((p) => p.relationship === 'head')!;
    const bearer = await token({ subject: citizen.fiscalCode });
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const answer = await graphql(
      hub.api,
      '{ me { givenName residence { address { street } } paymentPositions(first: 5) { totalCount } notifications(first: 1) { nodes { eventType } } } }',
      { token: bearer, headers: { traceparent: `00-${traceId}-${callerSpan}-01` } },
    );
    expect(answer.errors).toBeUndefined();

    const ofTrace = (spans: ReceivedSpan[]) => spans.filter((span) => span.traceId === traceId);
    const serversOf = (spans: ReceivedSpan[]) =>
      new Set(spans.filter((s) => s.kind === 'server').map((s) => s.attributes['sportello.service']));
    const spans = ofTrace(
      await collector.waitFor((all) => {
        const servers = serversOf(ofTrace(all));
        return ['gateway', 'identity', 'anagrafe', 'tributi', 'notifier'].every((service) =>
          servers.has(service),
        );
      }),
    );

    const gateway = spans.find(
      (s) => s.kind === 'server' && s.attributes['sportello.service'] === 'gateway',
    )!;
    expect(gateway.parentSpanId).toBe(callerSpan);
    const clients = new Map(spans.filter((s) => s.kind === 'client').map((s) => [s.spanId, s]));
    const subgraphServers = spans.filter((s) => s.kind === 'server' && s !== gateway);
    for (const server of subgraphServers) {
      // Each subgraph's request is the child of the gateway fetch that sent it.
      const fetchSpan = clients.get(server.parentSpanId ?? '');
      expect(fetchSpan?.attributes['sportello.subgraph']).toBe(server.attributes['sportello.service']);
      expect(fetchSpan?.attributes['sportello.outcome']).toBe('ok');
    }
    // Distributed, each process exports as itself; embedded, one process exports for all.
    const expectedName = (span: ReceivedSpan) =>
      mode === 'distributed' ? `sportello-${String(span.attributes['sportello.service'])}` : 'sportello-hub';
    for (const span of [gateway, ...clients.values(), ...subgraphServers]) {
      expect(span.service).toBe(expectedName(span));
    }
    expect(JSON.stringify(spans)).not.toContain(citizen.fiscalCode);
    expect(JSON.stringify(spans)).not.toContain(bearer);
  });
});
