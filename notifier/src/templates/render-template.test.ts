import { describe, expect, it } from 'vitest';
import type { Language } from '../channels/channel.js';
import { prepareIoContent } from '../channels/io/io-content.js';
import { parseMarkdownV2 } from '@sportello/test-support';
import { renderMessage, type TemplateInput } from './render-template.js';

const NASTY = 'Via <Roma> & "Garibaldi" *1_2* [a](b) #3 - 4.5! ~x~ `y` \\z';
const URL = 'https://sportello.example.it/p/(1)?a=b_c';

const INPUTS: TemplateInput[] = [
  {
    kind: 'ordinance-published',
    data: {
      number: '12/2025',
      subject: `Chiusura scuole ${NASTY}`,
      adoptedOn: '2025-11-03T10:00:00Z',
      effectiveFrom: '2025-11-04T00:00:00Z',
      effectiveUntil: '2025-11-05T23:00:00Z',
      measures: ['scuole chiuse', NASTY],
      area: NASTY,
      url: URL,
    },
  },
  {
    kind: 'alert-issued',
    data: {
      colour: 'red',
      risk: 'idraulico',
      zone: 'Piem-L',
      validFrom: '2025-11-03T12:00:00Z',
      validUntil: '2025-11-04T12:00:00Z',
      instructions: [NASTY],
      url: URL,
    },
  },
  {
    kind: 'alert-updated',
    data: {
      colour: 'orange',
      risk: 'idraulico',
      zone: NASTY,
      validFrom: '2025-11-03T12:00:00Z',
      validUntil: '2025-11-04T12:00:00Z',
      headline: NASTY,
      instructions: [NASTY, 'Salire ai piani alti.'],
      replaces: { colour: 'red', validFrom: '2025-11-03T12:00:00Z', validUntil: '2025-11-04T00:00:00Z' },
      url: URL,
    },
  },
  {
    kind: 'alert-ended',
    data: {
      reason: 'cancelled',
      colour: 'red',
      risk: 'idraulico',
      zone: 'Centro',
      validFrom: '2025-11-03T12:00:00Z',
      validUntil: '2025-11-04T12:00:00Z',
      headline: 'Piena',
      cancelReason: NASTY,
      url: URL,
    },
  },
  {
    kind: 'practice-status-changed',
    data: { practiceType: NASTY, protocolNumber: '2025/001234', status: 'rejected', note: NASTY, url: URL },
  },
  {
    kind: 'integration-requested',
    data: {
      practiceType: 'Cambio di residenza',
      protocolNumber: '2025/000042',
      request: 'trovi la richiesta nella pratica.',
      message: NASTY,
      dueBy: '2025-12-01T00:00:00Z',
      url: URL,
    },
  },
  {
    kind: 'practice-message',
    data: { practiceType: 'Accesso agli atti', protocolNumber: '2025/000043', text: NASTY, url: URL },
  },
  {
    kind: 'payment-due-soon',
    data: {
      description: 'IMU 2025, prima rata',
      amountCents: 102_099,
      dueDate: '2025-06-16T10:00:00Z',
      noticeNumber: '302032002700000251',
      creditorName: NASTY,
      url: URL,
    },
  },
  {
    kind: 'payment-overdue',
    data: {
      description: 'TARI 2025',
      amountCents: 15_000,
      dueDate: '2025-03-31T10:00:00Z',
      noticeNumber: '301011100007347557',
      creditorName: 'Comune di Torino',
      url: URL,
    },
  },
  {
    kind: 'payment-notice',
    data: {
      description: NASTY,
      amountCents: 2_000,
      dueDate: '2026-12-31',
      noticeNumber: '302032002700000251',
      creditorName: 'Comune di Torino',
      url: URL,
    },
  },
  {
    kind: 'payment-received',
    data: {
      amountCents: 2_000,
      noticeNumber: '302032002700000251',
      paidAt: '2026-12-10T10:00:00Z',
      creditorName: 'Comune di Torino',
      url: URL,
    },
  },
  {
    kind: 'payment-cancelled',
    data: { noticeNumber: '302032002700000251', reason: NASTY, creditorName: 'Comune di Torino', url: URL },
  },
  {
    kind: 'document-expiring',
    data: {
      document: "carta d'identità elettronica",
      expiresOn: '2026-02-01T00:00:00Z',
      renewableFrom: '2025-08-05T00:00:00Z',
      url: URL,
    },
  },
  {
    kind: 'appointment-reminder',
    data: {
      service: 'Rilascio CIE',
      office: 'Anagrafe centrale',
      address: NASTY,
      startsAt: '2025-11-10T08:30:00Z',
      url: URL,
    },
  },
  {
    kind: 'appointment-changed',
    data: {
      service: 'Ufficio anagrafe',
      office: 'Ufficio anagrafe',
      address: NASTY,
      startsAt: '2025-11-12T09:00:00Z',
      previousStartsAt: '2025-11-10T08:30:00Z',
      url: URL,
    },
  },
  {
    kind: 'appointment-cancelled',
    data: {
      service: 'Ufficio anagrafe',
      office: 'Ufficio anagrafe',
      address: 'Comune di Torino',
      startsAt: '2025-11-10T08:30:00Z',
      reason: NASTY,
      url: URL,
    },
  },
  {
    kind: 'residence-change-status',
    data: { status: 'obstacles-notified', note: NASTY, replyBy: '2025-11-20', url: URL },
  },
  {
    kind: 'certificate-ready',
    data: { validUntil: '2027-06-07', url: URL },
  },
  {
    kind: 'delegation-ended',
    data: { reason: 'majority', kind: 'minor-child', endedOn: '2026-12-08', url: URL },
  },
  {
    kind: 'delegation-ended',
    data: { reason: 'expired', kind: 'delegating-adult', endedOn: '2026-12-08T23:00:00Z', url: URL },
  },
  {
    kind: 'document-expired',
    data: { document: "carta d'identità cartacea", kind: 'paper', expiredOn: '2026-08-03', url: URL },
  },
  {
    kind: 'report-status-changed',
    data: { category: 'Buche stradali', status: 'resolved', note: NASTY, url: URL },
  },
];

const LANGUAGES: Language[] = ['it', 'en', 'de'];

describe('message templates', () => {
  for (const input of INPUTS) {
    for (const language of LANGUAGES) {
      it(`${input.kind} (${language}) renders safely for every channel`, () => {
        const m = renderMessage(input, {
          language,
          comuneName: 'Comune di Torino',
          preferencesUrl: 'https://sportello.example.it/preferenze',
        });
        const mentionsNasty = JSON.stringify(input.data).includes('Roma');

        expect(m.subject.length).toBeGreaterThanOrEqual(10);
        expect(m.text).toContain('Comune di Torino');
        if (mentionsNasty) expect(m.text).toContain(NASTY);

        expect(m.html).not.toMatch(/<Roma>/);
        if (mentionsNasty) expect(m.html).toContain('Via &lt;Roma&gt; &amp; &quot;Garibaldi&quot;');
        expect(m.html).toContain('href="https://sportello.example.it/p/(1)?a=b_c"');

        const telegram = parseMarkdownV2(m.markdownV2);
        expect(telegram, m.markdownV2).toMatchObject({ ok: true });
        if (telegram.ok && mentionsNasty) expect(telegram.plain).toContain(NASTY);

        const io = prepareIoContent({ subject: m.subject, text: m.text, markdown: m.markdown, language });
        expect(io).toMatchObject({ ok: true, markdown: m.markdown });
        expect(m.markdown).not.toContain('<Roma>');
      });
    }
  }

  it('words a red alert as critical and a yellow one as not', () => {
    const red = INPUTS[1]!;
    const yellow: TemplateInput = {
      kind: 'alert-issued',
      data: { ...(red.data as Extract<TemplateInput, { kind: 'alert-issued' }>['data']), colour: 'yellow' },
    };
    const it = renderMessage(red, { language: 'it', comuneName: 'Comune di Torino' });
    expect(it.severity).toBe('critical');
    expect(it.subject).toMatch(/ALLERTA ROSSA/);
    expect(it.text).toMatch(/Pericolo per la vita/);
    expect(renderMessage(red, { language: 'de', comuneName: 'Gemeinde' }).subject).toMatch(/ALARMSTUFE ROT/);
    const mild = renderMessage(yellow, { language: 'it', comuneName: 'Comune di Torino' });
    expect(mild.severity).toBe('warning');
    expect(mild.subject).toMatch(/gialla/);
    expect(mild.text).not.toMatch(/Pericolo per la vita/);
  });

  it('says what an update replaces, and words the end of an alert as an all-clear that rings only after red', () => {
    const update = INPUTS.find((input) => input.kind === 'alert-updated')!;
    const it = renderMessage(update, { language: 'it', comuneName: 'Comune di Torino' });
    expect(it.subject).toBe("Aggiornamento: allerta arancione per idraulico (sostituisce l'allerta rossa)");
    expect(it.text).toContain("Questo messaggio aggiorna e sostituisce l'allerta rossa");
    expect(it.text).toContain('Cosa fare: ');
    expect(it.severity).toBe('warning');
    const en = renderMessage(update, { language: 'en', comuneName: 'Comune di Torino' });
    expect(en.subject).toContain('(replaces the red alert)');

    const ended = INPUTS.find((input) => input.kind === 'alert-ended')!;
    const cancelled = renderMessage(ended, { language: 'it', comuneName: 'Comune di Torino' });
    expect(cancelled.subject).toBe("Cessata allerta: revocata l'allerta rossa per idraulico");
    expect(cancelled.text).toContain(`Motivo: ${NASTY}`);
    expect(cancelled.severity).toBe('critical');
    const expired = renderMessage(
      {
        kind: 'alert-ended',
        data: {
          ...(ended.data as Extract<TemplateInput, { kind: 'alert-ended' }>['data']),
          reason: 'expired',
          colour: 'yellow',
        },
      },
      { language: 'de', comuneName: 'Gemeinde' },
    );
    expect(expired.subject).toBe('Die gelbe Warnung für idraulico ist beendet');
    expect(expired.severity).toBe('info');
  });

  it('lists an ordinance’s measures and documents', () => {
    const m = renderMessage(
      {
        kind: 'ordinance-published',
        data: {
          ...(INPUTS[0]!.data as Extract<TemplateInput, { kind: 'ordinance-published' }>['data']),
          measures: ['Chiusura delle scuole', 'Chiusura dei parchi'],
          documents: ['https://comune.example/feeds/ordinance-document.pdf?id=1'],
        },
      },
      { language: 'it', comuneName: 'Comune di Torino' },
    );
    expect(m.text).toContain('Misure disposte: Chiusura delle scuole; Chiusura dei parchi.');
    expect(m.text).toContain('Documento (PDF): https://comune.example/feeds/ordinance-document.pdf?id=1');
  });

  it('names a practice by its title and protocol number, and labels the office’s note for what it is', () => {
    const context = { language: 'it' as const, comuneName: 'Comune di Torino' };
    const registered = renderMessage(
      {
        kind: 'practice-status-changed',
        data: {
          practiceType: 'Ritiro rifiuti ingombranti a domicilio',
          protocolNumber: '2026/000123',
          status: 'registered',
          url: URL,
        },
      },
      context,
    );
    expect(registered.subject).toBe(
      'Ritiro rifiuti ingombranti a domicilio: pratica protocollata (prot. n. 2026/000123)',
    );
    expect(registered.text).toContain(
      'La tua pratica "Ritiro rifiuti ingombranti a domicilio" è stata protocollata con il numero 2026/000123.',
    );
    const inCharge = (language: Language) =>
      renderMessage(
        {
          kind: 'practice-status-changed',
          data: {
            practiceType: 'Accesso agli atti',
            status: 'taken-in-charge',
            note: 'Ci pensa Rossi.',
            url: URL,
          },
        },
        { ...context, language },
      ).text;
    expect(inCharge('it')).toContain('Nota dell’ufficio: Ci pensa Rossi.');
    expect(inCharge('en')).toContain('Note from the office: Ci pensa Rossi.');
    expect(inCharge('de')).toContain('Hinweis des Amtes: Ci pensa Rossi.');
    expect(inCharge('en')).not.toMatch(/Reason/);
    // A notice recorded before titles travelled names no code and no id.
    const older = renderMessage(
      { kind: 'practice-status-changed', data: { reference: 'b7c0e0a4', status: 'accepted', url: URL } },
      { ...context, language: 'en' },
    );
    expect(older.subject).toBe('Your application is accepted');
    expect(older.text).not.toContain('b7c0e0a4');
  });

  it('shows money and notice numbers the way the pagoPA notice does', () => {
    const m = renderMessage(
      INPUTS.find((input) => input.kind === 'payment-due-soon')!,
      { language: 'it', comuneName: 'Comune di Torino' },
    );
    expect(m.text).toMatch(/1\.020,99\s€/);
    expect(m.text).toContain('3020 3200 2700 0002 51');
    expect(m.text).toContain('16/06/2025');
  });
});
