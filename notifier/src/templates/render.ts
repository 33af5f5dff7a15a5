import type { Language } from '../channels/channel.js';
import { escapeMarkdownV2, escapeMarkdownV2Url } from '../channels/telegram/markdown-v2.js';
import type { MessageDocument, TemplateContext } from './document.js';

/** A message rendered for every channel. */
export interface RenderedMessage {
  subject: string;
  /** Plain text (email text part, fallback everywhere). */
  text: string;
  /** Email HTML, every value escaped. */
  html: string;
  /** Telegram MarkdownV2, every value escaped. */
  markdownV2: string;
  /** App IO markdown, at least 80 characters. */
  markdown: string;
}

const FOOTER: Record<Language, { sentBy: (comune: string) => string; preferences: string }> = {
  it: {
    sentBy: (c) => `Messaggio inviato da ${c} tramite Sportello.`,
    preferences: 'Gestisci le preferenze di notifica',
  },
  en: {
    sentBy: (c) => `Message sent by ${c} through Sportello.`,
    preferences: 'Manage notification preferences',
  },
  de: {
    sentBy: (c) => `Nachricht von ${c} über Sportello gesendet.`,
    preferences: 'Benachrichtigungseinstellungen verwalten',
  },
};

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Escapes the characters CommonMark gives meaning to, for App IO's markdown. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

function renderText(doc: MessageDocument, footer: string[]): string {
  const lines = [doc.heading, '', ...doc.paragraphs.flatMap((p) => [p, ''])];
  if (doc.facts.length > 0) lines.push(...doc.facts.map((f) => `${f.label}: ${f.value}`), '');
  if (doc.action) lines.push(`${doc.action.label}: ${doc.action.url}`, '');
  lines.push('--', ...footer);
  return lines.join('\n');
}

function renderHtml(doc: MessageDocument, context: TemplateContext, footerText: string): string {
  const colour = doc.severity === 'critical' ? '#b00020' : doc.severity === 'warning' ? '#b35c00' : '#0b4f8a';
  const parts = [
    `<!doctype html><html lang="${context.language}"><head><meta charset="utf-8"><title>${escapeHtml(doc.subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;line-height:1.5">',
    `<h1 style="font-size:20px;color:${colour}">${escapeHtml(doc.heading)}</h1>`,
    ...doc.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
  ];
  if (doc.facts.length > 0) {
    parts.push(
      '<table role="presentation" style="border-collapse:collapse">',
      ...doc.facts.map(
        (f) =>
          `<tr><th style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`,
      ),
      '</table>',
    );
  }
  if (doc.action) {
    parts.push(
      `<p><a href="${escapeHtml(doc.action.url)}" style="color:${colour};font-weight:bold">${escapeHtml(doc.action.label)}</a></p>`,
    );
  }
  parts.push(`<hr><p style="font-size:12px;color:#555">${escapeHtml(footerText)}`);
  if (context.preferencesUrl) {
    parts.push(
      ` <a href="${escapeHtml(context.preferencesUrl)}">${escapeHtml(FOOTER[context.language].preferences)}</a>`,
    );
  }
  parts.push('</p></body></html>');
  return parts.join('\n');
}

function renderMarkdownV2(doc: MessageDocument): string {
  const lines = [`*${escapeMarkdownV2(doc.heading)}*`, ''];
  for (const p of doc.paragraphs) lines.push(escapeMarkdownV2(p), '');
  for (const f of doc.facts) lines.push(`*${escapeMarkdownV2(f.label)}:* ${escapeMarkdownV2(f.value)}`);
  if (doc.action) {
    if (doc.facts.length > 0) lines.push('');
    lines.push(`[${escapeMarkdownV2(doc.action.label)}](${escapeMarkdownV2Url(doc.action.url)})`);
  }
  return lines.join('\n').trim();
}

function renderIoMarkdown(doc: MessageDocument, footerText: string): string {
  const lines = [`# ${escapeMarkdown(doc.heading)}`, ''];
  for (const p of doc.paragraphs) lines.push(escapeMarkdown(p), '');
  for (const f of doc.facts) lines.push(`- **${escapeMarkdown(f.label)}:** ${escapeMarkdown(f.value)}`);
  if (doc.facts.length > 0) lines.push('');
  if (doc.action)
    lines.push(
      `[${escapeMarkdown(doc.action.label)}](${doc.action.url.replace(/[()\s]/g, encodeURIComponent)})`,
      '',
    );
  // The footer also keeps the body over IO's 80-character minimum.
  lines.push('---', escapeMarkdown(footerText));
  return lines.join('\n');
}

/** Renders a document for every channel. */
export function renderDocument(doc: MessageDocument, context: TemplateContext): RenderedMessage {
  const footer = FOOTER[context.language];
  const footerText = footer.sentBy(context.comuneName);
  const textFooter = [
    footerText,
    ...(context.preferencesUrl ? [`${footer.preferences}: ${context.preferencesUrl}`] : []),
  ];
  return {
    subject: doc.subject,
    text: renderText(doc, textFooter),
    html: renderHtml(doc, context, footerText),
    markdownV2: renderMarkdownV2(doc),
    markdown: renderIoMarkdown(doc, footerText),
  };
}
