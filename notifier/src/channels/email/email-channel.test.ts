import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../channel.js';
import { startSmtpSink, type SmtpSink } from '@sportello/test-support';
import { createEmailChannel, type EmailChannel } from './email-channel.js';
import { classifySmtpError } from './classify-smtp-error.js';

function mail(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    deliveryId: '0197a0b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b',
    comune: '001272',
    recipient: { channel: 'email', address: 'mario.rossi@example.org' },
    language: 'it',
    subject: 'Ordinanza n. 12/2025: chiusura scuole',
    text: 'Il sindaco ha disposto la chiusura delle scuole.',
    html: '<p>Il sindaco ha disposto la chiusura delle <strong>scuole</strong>.</p>',
    listUnsubscribeUrl: 'https://sportello.example.it/unsubscribe/abc123',
    ...overrides,
  };
}

describe('email channel over SMTP', () => {
  let sink: SmtpSink;
  let channel: EmailChannel;

  beforeAll(async () => {
    sink = await startSmtpSink();
    channel = createEmailChannel({
      host: sink.host,
      port: sink.port,
      ignoreTls: true,
      from: '"Comune di Torino" <noreply@comune.torino.example>',
      maxConnections: 2,
    });
  });
  afterAll(async () => {
    await channel.close();
    await sink.close();
  });

  it('delivers a mail with text and HTML parts, List-Unsubscribe and a Message-ID from the delivery id', async () => {
    const result = await channel.send(mail());
    expect(result).toEqual({ ok: true, providerMessageId: expect.stringContaining('0197a0b2') });
    const [received] = await sink.waitForMails(1);
    expect(received!.envelope.to).toEqual(['mario.rossi@example.org']);
    const parsed = received!.parsed;
    expect(parsed.subject).toBe('Ordinanza n. 12/2025: chiusura scuole');
    expect(parsed.text?.trim()).toBe('Il sindaco ha disposto la chiusura delle scuole.');
    expect(parsed.html).toContain('<strong>scuole</strong>');
    expect(parsed.messageId).toBe('<0197a0b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b.delivery@comune.torino.example>');
    expect(received!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(received!.raw).toMatch(
      /^List-Unsubscribe: <https:\/\/sportello\.example\.it\/unsubscribe\/abc123>$/m,
    );
    if (result.ok) expect(result.providerMessageId).toBe(parsed.messageId);
  });

  it('gives a resend of the same delivery the same Message-ID', async () => {
    const before = sink.mails.length;
    await channel.send(mail({ deliveryId: 'resend-1' }));
    await channel.send(mail({ deliveryId: 'resend-1' }));
    const mails = await sink.waitForMails(before + 2);
    expect(mails[before]!.parsed.messageId).toBe(mails[before + 1]!.parsed.messageId);
  });

  it('keeps the pool within maxConnections under concurrent sends', async () => {
    const before = sink.mails.length;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        channel.send(
          mail({ deliveryId: `pool-${i}`, recipient: { channel: 'email', address: `c${i}@example.org` } }),
        ),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    await sink.waitForMails(before + 12);
    expect(sink.maxConcurrentConnections).toBeLessThanOrEqual(2);
  });

  it('classifies a 4xx recipient reply as retryable and a 5xx as permanent (5.1.1 unlinks)', async () => {
    sink.reject('busy@example.org', { code: 451, message: '4.3.0 mailbox busy' });
    sink.reject('gone@example.org', { code: 550, message: '5.1.1 user unknown' });
    const busy = await channel.send(mail({ recipient: { channel: 'email', address: 'busy@example.org' } }));
    const gone = await channel.send(mail({ recipient: { channel: 'email', address: 'gone@example.org' } }));
    expect(busy.ok).toBe(false);
    expect(gone.ok).toBe(false);
    if (busy.ok || gone.ok) return;
    expect(busy.failure).toMatchObject({ kind: 'retryable' });
    expect(busy.failure.reason).toContain('451');
    expect(gone.failure).toMatchObject({ kind: 'permanent', unlinkRecipient: true });
    expect(gone.failure.reason).not.toContain('gone@example.org');

    sink.accept('busy@example.org');
    expect(
      (await channel.send(mail({ recipient: { channel: 'email', address: 'busy@example.org' } }))).ok,
    ).toBe(true);
  });

  it('refuses a message meant for another channel without sending it', async () => {
    const result = await channel.send(mail({ recipient: { channel: 'io', fiscalCode: 'RSSMRA80A01H501U' } }));
    expect(result).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
  });
});

describe('email channel failures', () => {
  it('is retryable when the SMTP server cannot be reached', async () => {
    const sink = await startSmtpSink();
    const port = sink.port;
    await sink.close();
    const channel = createEmailChannel({
      host: '127.0.0.1',
      port,
      ignoreTls: true,
      from: 'noreply@comune.example',
    });
    const result = await channel.send(mail());
    await channel.close();
    expect(result).toMatchObject({ ok: false, failure: { kind: 'retryable' } });
  });

  it('is permanent when the server rejects the credentials', async () => {
    const sink = await startSmtpSink({ auth: { user: 'sportello', pass: 'right' } });
    const wrong = createEmailChannel({
      host: sink.host,
      port: sink.port,
      ignoreTls: true,
      auth: { user: 'sportello', pass: 'wrong' },
      from: 'noreply@comune.example',
    });
    const right = createEmailChannel({
      host: sink.host,
      port: sink.port,
      ignoreTls: true,
      auth: { user: 'sportello', pass: 'right' },
      from: 'noreply@comune.example',
    });
    const rejected = await wrong.send(mail());
    const accepted = await right.send(mail());
    await Promise.all([wrong.close(), right.close()]);
    await sink.close();
    expect(rejected).toMatchObject({ ok: false, failure: { kind: 'permanent' } });
    expect(accepted.ok).toBe(true);
    expect(sink.mails).toHaveLength(1);
  });

  it('classifies by reply code, connection code, and defaults to retryable for the unknown', () => {
    expect(
      classifySmtpError({ code: 'EENVELOPE', responseCode: 452, response: '452 4.2.2 quota' }).kind,
    ).toBe('retryable');
    expect(classifySmtpError({ code: 'EMESSAGE', responseCode: 554, response: '554 5.6.0 bad' }).kind).toBe(
      'permanent',
    );
    expect(classifySmtpError({ code: 'ETIMEDOUT' }).kind).toBe('retryable');
    expect(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' }).kind).toBe('permanent');
    expect(classifySmtpError(new Error('boom')).kind).toBe('retryable');
  });
});

describe('email channel lanes', () => {
  it('sends an alert at once on a connection of its own while bulk mail waits for a slow relay', async () => {
    const sink = await startSmtpSink();
    const channel = createEmailChannel({
      host: sink.host,
      port: sink.port,
      ignoreTls: true,
      from: '"Comune di Torino" <noreply@comune.torino.example>',
      maxConnections: 2,
    });
    const release = sink.holdAnswers();
    try {
      const bulk = Array.from({ length: 10 }, (_, i) =>
        channel.send(
          mail({
            deliveryId: `bulk-${i}`,
            lane: 'bulk',
            subject: 'Avviso di pagamento TARI 2026',
            recipient: { channel: 'email', address: `payer${i}@example.org` },
          }),
        ),
      );
      // Both connections of the pool carry a bulk mail whose answer the relay holds back.
      await sink.waitForMails(2);
      const alert = channel.send(
        mail({
          deliveryId: 'alert-red',
          lane: 'critical',
          subject: 'Allerta rossa: evitare gli spostamenti',
          recipient: { channel: 'email', address: 'resident@example.org' },
        }),
      );
      await expect
        .poll(() => sink.mails.map((received) => received.parsed.subject), { timeout: 5_000 })
        .toContain('Allerta rossa: evitare gli spostamenti');
      release();
      const results = await Promise.all([...bulk, alert]);
      expect(results.every((result) => result.ok)).toBe(true);
      const subjects = sink.mails.map((received) => received.parsed.subject);
      expect(subjects).toHaveLength(11);
      // The alert reached the relay third, before the eight bulk mails still waiting.
      expect(subjects.indexOf('Allerta rossa: evitare gli spostamenti')).toBe(2);
    } finally {
      release();
      await channel.close();
      await sink.close();
    }
  });
});
