import type { Language, OutgoingMessage } from '../channel.js';

/** App IO's limits on message content (MessageContentBase in the services API). */
export const IO_LIMITS = {
  subject: { min: 10, max: 120 },
  markdown: { min: 80, max: 10_000 },
} as const;

const FOOTER: Record<Language, string> = {
  it: 'Questo messaggio ti è stato inviato dal tuo Comune tramite Sportello. Non rispondere a questo messaggio.',
  en: 'This message was sent to you by your comune through Sportello. Please do not reply to this message.',
  de: 'Diese Nachricht wurde Ihnen von Ihrer Gemeinde über Sportello gesendet. Bitte antworten Sie nicht darauf.',
};

const SHORTENED: Record<Language, string> = {
  it: '… (testo abbreviato: il messaggio completo è nella tua area personale)',
  en: '… (text shortened: the full message is in your personal area)',
  de: '… (Text gekürzt: die vollständige Nachricht finden Sie in Ihrem persönlichen Bereich)',
};

/** Cuts `text` to at most `max` UTF-16 units at a whitespace boundary, never inside a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (/[\uDC00-\uDFFF]/.test(text[end] ?? '')) end -= 1;
  const space = text.lastIndexOf(' ', end);
  const newline = text.lastIndexOf('\n', end);
  const boundary = Math.max(space, newline);
  // Prefer a word boundary unless it would throw away most of the text.
  return text.slice(0, boundary > max * 0.8 ? boundary : end).trimEnd();
}

export type IoContent = { ok: true; subject: string; markdown: string } | { ok: false; reason: string };

/**
 * Makes a message fit App IO's content rules: the subject is tidied and shortened to 120
 * characters; a markdown body under 80 characters gets a standard footer, one over 10000 is
 * shortened with a note. What cannot be fixed without inventing content (a subject under
 * 10 characters, an empty body) is refused with the reason.
 */
export function prepareIoContent(
  message: Pick<OutgoingMessage, 'subject' | 'text' | 'markdown' | 'language'>,
): IoContent {
  let subject = message.subject.replace(/\s+/g, ' ').trim();
  if (subject.length > IO_LIMITS.subject.max) subject = `${cut(subject, IO_LIMITS.subject.max - 1)}…`;
  if (subject.length < IO_LIMITS.subject.min) {
    return {
      ok: false,
      reason: `App IO needs a subject of ${IO_LIMITS.subject.min}-${IO_LIMITS.subject.max} characters, got ${subject.length}`,
    };
  }
  let markdown = (message.markdown ?? message.text).trim();
  if (markdown === '') return { ok: false, reason: 'App IO needs a message body; the message has none' };
  if (markdown.length < IO_LIMITS.markdown.min) markdown = `${markdown}\n\n---\n${FOOTER[message.language]}`;
  if (markdown.length > IO_LIMITS.markdown.max) {
    const note = `\n\n${SHORTENED[message.language]}`;
    markdown = `${cut(markdown, IO_LIMITS.markdown.max - note.length)}${note}`;
  }
  return { ok: true, subject, markdown };
}
