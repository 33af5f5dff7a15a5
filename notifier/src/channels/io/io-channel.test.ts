import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@sportello/platform';
import type { OutgoingMessage } from '../channel.js';
import { startFakeIo, type FakeIo } from '@sportello/test-support';
import type { DeliveryRow } from '../../delivery/delivery-store.js';
import { testConfig } from '../../test-support/test-config.js';
import { ioChannel } from './definition.js';
import { createIoChannel, type IoChannel } from './io-channel.js';
import { prepareIoContent } from './io-content.js';

const ALLOWED = 'RSSMRA80A01H501U';
const OPTED_OUT = 'CNTCHR83T41D969D';
const NOT_ON_IO = 'RCCMNL83S18D969H';
const TORINO = '001272';
const MILANO = '015146';

const BODY =
  'Il Comune ti informa che la tua pratica è stata aggiornata. Accedi alla tua area personale per i dettagli.';

function ioMessage(fiscalCode: string, overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    deliveryId: 'd-1',
    comune: TORINO,
    recipient: { channel: 'io', fiscalCode },
    language: 'it',
    subject: 'Aggiornamento della tua pratica',
    text: BODY,
    markdown: BODY,
    ...overrides,
  };
}

describe('App IO channel against the fake services API', () => {
  let io: FakeIo;
  let channel: IoChannel;

  beforeAll(async () => {
    io = await startFakeIo({
      keys: ['key-torino', 'key-milano'],
      profiles: { [ALLOWED]: { senderAllowed: true }, [OPTED_OUT]: { senderAllowed: false } },
    });
    const services: Record<string, { baseUrl: string; apiKey: string }> = {
      [TORINO]: { baseUrl: io.baseUrl, apiKey: 'key-torino' },
      [MILANO]: { baseUrl: io.baseUrl, apiKey: 'key-milano' },
      '000000': { baseUrl: io.baseUrl, apiKey: 'revoked-key' },
    };
    channel = createIoChannel({ resolveService: (comune) => services[comune] });
  });
  afterAll(() => io.close());

  it("checks the profile before submitting, with the comune's key and the fiscal code in the body", async () => {
    const before = io.calls.length;
    const result = await channel.send(ioMessage(ALLOWED, { comune: MILANO }));
    expect(io.calls.slice(before).map((c) => c.operation)).toEqual(['getProfile', 'submitMessage']);
    const accepted = io.messages.at(-1)!;
    expect(result).toEqual({ ok: true, providerMessageId: accepted.id });
    expect(accepted).toMatchObject({ apiKey: 'key-milano', fiscalCode: ALLOWED, status: 'PROCESSED' });
    expect(accepted.body.content).toEqual({ subject: 'Aggiornamento della tua pratica', markdown: BODY });
  });

  it('sends a payment message with pagoPA payment data and due date', async () => {
    const dueDate = new Date('2025-06-16T21:59:59.000Z');
    const result = await channel.send(
      ioMessage(ALLOWED, {
        subject: 'IMU 2025: prima rata in scadenza',
        dueDate,
        payment: {
          amountCents: 102_099,
          noticeNumber: '302032002700000251',
          invalidAfterDueDate: false,
          payeeFiscalCode: '00311260095',
        },
      }),
    );
    expect(result.ok).toBe(true);
    expect(io.messages.at(-1)!.body.content).toMatchObject({
      due_date: '2025-06-16T21:59:59.000Z',
      payment_data: {
        amount: 102_099,
        notice_number: '302032002700000251',
        invalid_after_due_date: false,
        payee: { fiscal_code: '00311260095' },
      },
    });
  });

  it('classifies a payment IO rejects as permanent, with the reason from the problem details', async () => {
    const before = io.messages.length;
    const result = await channel.send(
      ioMessage(ALLOWED, { payment: { amountCents: 0, noticeNumber: '123456' } }),
    );
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
    if (!result.ok) {
      expect(result.failure.reason).toContain('400');
      expect(result.failure.reason).toContain('notice_number');
      expect(result.failure.reason).toContain('amount');
      expect(result.failure.reason).not.toContain(ALLOWED);
    }
    expect(io.messages).toHaveLength(before);
  });

  it('stops at the profile check for a citizen not on IO or who opted out', async () => {
    const before = io.calls.length;
    const missing = await channel.send(ioMessage(NOT_ON_IO));
    const optedOut = await channel.send(ioMessage(OPTED_OUT));
    expect(missing).toMatchObject({
      ok: false,
      failure: { kind: 'permanent', reason: expect.stringContaining('not on App IO') },
    });
    expect(optedOut).toMatchObject({
      ok: false,
      failure: { kind: 'permanent', reason: expect.stringContaining('turned off') },
    });
    expect(io.calls.slice(before).map((c) => c.operation)).toEqual(['getProfile', 'getProfile']);
  });

  it("pads a short body and shortens a long subject and body to fit IO's limits", async () => {
    const short = await channel.send(
      ioMessage(ALLOWED, { markdown: 'Pratica accolta.', subject: 'S'.repeat(200) }),
    );
    expect(short.ok).toBe(true);
    const content = io.messages.at(-1)!.body.content as { subject: string; markdown: string };
    expect(content.subject.length).toBeLessThanOrEqual(120);
    expect(content.markdown.startsWith('Pratica accolta.')).toBe(true);
    expect(content.markdown.length).toBeGreaterThanOrEqual(80);

    const long = await channel.send(ioMessage(ALLOWED, { markdown: 'Paragrafo lungo. '.repeat(1000) }));
    expect(long.ok).toBe(true);
    expect((io.messages.at(-1)!.body.content as { markdown: string }).markdown.length).toBeLessThanOrEqual(
      10_000,
    );
  });

  it('refuses, without calling IO, a message whose subject cannot be made valid', async () => {
    const before = io.calls.length;
    const result = await channel.send(ioMessage(ALLOWED, { subject: 'Avviso' }));
    expect(result).toMatchObject({
      ok: false,
      failure: { kind: 'permanent', reason: expect.stringContaining('subject') },
    });
    expect(io.calls.length).toBe(before);
  });

  it('is retryable on 429 (honouring Retry-After) and on 5xx, and delivers once IO recovers', async () => {
    io.outage({ status: 429, count: 1, retryAfterSeconds: 7 });
    const throttled = await channel.send(ioMessage(ALLOWED));
    expect(throttled).toMatchObject({ ok: false, failure: { kind: 'retryable', retryAfterMs: 7000 } });

    io.outage({ status: 500, count: 2 });
    const broken = await channel.send(ioMessage(ALLOWED));
    expect(broken).toMatchObject({ ok: false, failure: { kind: 'retryable' } });

    io.outage({ status: 503, forMs: 200 });
    expect((await channel.send(ioMessage(ALLOWED))).ok).toBe(false);
    await expect
      .poll(async () => (await channel.send(ioMessage(ALLOWED))).ok, { timeout: 10_000 })
      .toBe(true);
  });

  it('is permanent when the key is refused, and when the comune has no IO service', async () => {
    const refused = await channel.send(ioMessage(ALLOWED, { comune: '000000' }));
    expect(refused).toMatchObject({
      ok: false,
      failure: { kind: 'permanent', reason: expect.stringContaining('401') },
    });
    const unconfigured = await channel.send(ioMessage(ALLOWED, { comune: '999999' }));
    expect(unconfigured).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
  });

  it('refuses a message meant for another channel', async () => {
    const result = await channel.send(ioMessage(ALLOWED, { recipient: { channel: 'telegram', chatId: 1 } }));
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
  });
});

describe('App IO channel as the notifier builds it', () => {
  it("spends a comune's IO quota on an alert first, ahead of the reminders already waiting", async () => {
    const io = await startFakeIo({ keys: ['key-torino'], profiles: { [ALLOWED]: { senderAllowed: true } } });
    try {
      const built = ioChannel.build({
        config: testConfig({ io: { baseUrl: io.baseUrl, apiKey: 'key-torino', ratePerSecond: 20 } }),
        logger: createLogger({ name: 'io-lanes-test', level: 'silent' }),
        chatLinks: undefined as never,
        given: undefined,
        sandbox: () => {
          throw new Error('the IO channel is configured');
        },
      });
      // As the dispatcher sends a delivery: paced by the channel's limiter, then handed to the channel.
      const send = async (priority: number, subject: string) => {
        const row = { priority, comune: TORINO } as DeliveryRow;
        await built.dispatch.limiter!.acquire(built.dispatch.keyOf(row));
        return built.channel.send(ioMessage(ALLOWED, { subject }));
      };
      const reminders = Array.from({ length: 20 }, (_, i) => send(0, `Promemoria IMU n. ${i + 1}`));
      // The reminders are on their way, 20 a second.
      await expect.poll(() => io.messages.length).toBeGreaterThanOrEqual(2);
      const handedOver = io.messages.length;
      const alert = send(2500, 'Allerta rossa: evitare gli spostamenti');
      const results = await Promise.all([...reminders, alert]);
      expect(results.every((result) => result.ok)).toBe(true);
      const subjects = io.messages.map((message) => (message.body.content as { subject: string }).subject);
      expect(subjects).toHaveLength(21);
      // Ahead of the alert: the reminders received when it was handed over and the one being paced.
      expect(subjects.indexOf('Allerta rossa: evitare gli spostamenti')).toBeLessThanOrEqual(handedOver + 2);
    } finally {
      await io.close();
    }
  });
});

describe('App IO channel when IO is unreachable', () => {
  it('is retryable', async () => {
    const io = await startFakeIo({ keys: ['k'] });
    const baseUrl = io.baseUrl;
    await io.close();
    const channel = createIoChannel({ resolveService: () => ({ baseUrl, apiKey: 'k' }) });
    expect(await channel.send(ioMessage(ALLOWED))).toMatchObject({
      ok: false,
      failure: { kind: 'retryable' },
    });
  });

  it("rejects a time to live outside IO's range at creation", () => {
    expect(() => createIoChannel({ resolveService: () => undefined, timeToLiveSeconds: 60 })).toThrow(
      /timeToLiveSeconds/,
    );
  });
});

describe('prepareIoContent', () => {
  it('refuses an empty body', () => {
    expect(prepareIoContent({ subject: 'Oggetto valido', text: '  ', language: 'en' })).toMatchObject({
      ok: false,
    });
  });
});
