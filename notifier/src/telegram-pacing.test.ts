import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EventBus } from '@sportello/platform';
import { createEvent, type PracticeStatus } from '@sportello/schema';
import { startFakeTelegram, type FakeTelegram } from '@sportello/test-support';
import type { NotifierHandle } from './index.js';
import {
  COMUNE,
  fiscalCodes,
  linkTelegramInIdentity,
  startAnagrafeFake,
  startIdentity,
  startTestNotifier,
  type TestNotifier,
} from './test-support/harness.js';

/**
 * "0 x 429 under a mixed load, order kept": a Bot API that counts like the real one (at most 30
 * messages in any rolling second, a chat's next message a full second after its previous one, no
 * slack) receives a red alert for 300 linked chats, its post on the comune's public channel, and a
 * burst of practice updates to one chat, all at once, through the notifier.
 */

const N = 300;
const TOKEN = '777777:pacing-test-token';
const PUBLIC_CHANNEL = '@comune_allerte';
const residents = fiscalCodes(N, 9000);
const chatOf = (fiscalCode: string) => String(800_000 + residents.indexOf(fiscalCode));

let identity: Awaited<ReturnType<typeof startIdentity>>;
let anagrafe: Awaited<ReturnType<typeof startAnagrafeFake>>;
let telegram: FakeTelegram;
let bus: EventBus;
let notifier: NotifierHandle;
let running: TestNotifier;

beforeAll(async () => {
  [identity, anagrafe, telegram] = await Promise.all([
    startIdentity(residents.map((fiscalCode) => ({ fiscalCode }))),
    startAnagrafeFake({ Z1: residents }),
    startFakeTelegram({ token: TOKEN, strict: true }),
  ]);
  await linkTelegramInIdentity(identity.identity);
  running = await startTestNotifier({
    prefix: 'notifier-pacing-',
    identityUrl: identity.url,
    anagrafeUrl: anagrafe.url,
    jwks: { keys: [] },
    telegramChats: residents.map((fiscalCode) => ({ fiscalCode, chatId: chatOf(fiscalCode) })),
    config: {
      telegram: {
        token: TOKEN,
        apiRoot: telegram.apiRoot,
        webhookSecret: 'pacing-secret',
        webhookUrl: null,
        publicChannel: PUBLIC_CHANNEL,
        ratePerSecond: 30,
        ratePerChatPerSecond: 1,
      },
    },
  });
  ({ notifier, bus } = running);
  await notifier.start();
}, 120_000);

afterAll(async () => {
  await running?.close();
  await Promise.all([identity?.close(), anagrafe?.close(), telegram?.close()]);
});

it('sends a red alert to 300 chats and its channel post beside a burst to one chat: no 429, the burst in order', async () => {
  const alert = createEvent('alert.issued', {
    comune: COMUNE,
    subject: 'alert-pacing',
    actor: { kind: 'staff', id: 'pc.rossi' },
    data: {
      alertId: 'alert-pacing',
      hazard: 'hydraulic',
      colour: 'red',
      zones: ['Z1'],
      validFrom: '2026-11-23T12:00:00+01:00',
      validTo: '2026-11-24T12:00:00+01:00',
      phase: 'alarm',
      critical: true,
    },
  });
  // One citizen's practice moves three times in a row: their chat gets three messages at once.
  const applicant = residents[0]!;
  const steps: Array<[PracticeStatus, PracticeStatus]> = [
    ['submitted', 'registered'],
    ['registered', 'taken-in-charge'],
    ['taken-in-charge', 'accepted'],
  ];
  const updates = steps.map(([from, to]) =>
    createEvent('practice.status-changed', {
      comune: COMUNE,
      subject: 'practice-7',
      actor: { kind: 'staff', id: 'suap.verdi' },
      data: {
        practiceId: 'practice-7',
        typeCode: 'passo-carrabile',
        typeTitle: 'Passo carrabile',
        office: 'suap',
        applicantFiscalCode: applicant,
        from,
        to,
      },
    }),
  );

  await Promise.all([bus.publish(alert), ...updates.map((update) => bus.publish(update))]);

  const expected = N + 1 + updates.length;
  await telegram.waitForSent(expected, undefined, 90_000);
  expect(telegram.refusals).toEqual([]);
  expect(telegram.tooManyRequests).toBe(0);

  const byChat = new Map<string, string[]>();
  for (const message of telegram.sent) {
    byChat.set(message.chatId, [...(byChat.get(message.chatId) ?? []), message.plainText]);
  }
  expect(byChat.size).toBe(N + 1);
  expect(byChat.get(PUBLIC_CHANNEL)).toHaveLength(1);
  // The applicant: the alert, and the practice updates in the order they happened.
  const applicantChat = byChat.get(chatOf(applicant))!;
  expect(applicantChat).toHaveLength(1 + updates.length);
  const practiceMessages = applicantChat.filter((text) => text.includes('Passo carrabile'));
  expect(practiceMessages.map((text) => /protocollata|presa in carico|accolta/.exec(text)?.[0])).toEqual([
    'protocollata',
    'presa in carico',
    'accolta',
  ]);
  // Every other chat: the alert, once.
  for (const fiscalCode of residents.slice(1)) expect(byChat.get(chatOf(fiscalCode))).toHaveLength(1);
}, 120_000);
