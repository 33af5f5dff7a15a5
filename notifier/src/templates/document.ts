import type { Language } from '../channels/channel.js';

/**
 * A message before it is rendered for a channel: plain strings only (no markup), so each renderer
 * escapes them for its own format and no template can inject markup.
 */
export interface MessageDocument {
  /** `critical` is rendered with alarm wording and styling (red alerts). */
  severity: 'info' | 'warning' | 'critical';
  subject: string;
  heading: string;
  paragraphs: string[];
  /** Label/value pairs shown as a list (dates, amounts, references). */
  facts: Array<{ label: string; value: string }>;
  /** The one thing the recipient can do next. */
  action?: { label: string; url: string };
}

/** What every template knows besides the event data. */
export interface TemplateContext {
  language: Language;
  /** e.g. "Comune di Torino". */
  comuneName: string;
  /** Where the recipient manages notification preferences (shown in the footer). */
  preferencesUrl?: string;
}

/** A template for one message kind: event data in, one document per language out. */
export type Template<TData> = Record<Language, (data: TData, context: TemplateContext) => MessageDocument>;
