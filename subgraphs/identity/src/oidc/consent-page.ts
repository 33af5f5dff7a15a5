import type { RouteResponse, Scope } from '@sportello/platform';
import { SCOPE_DESCRIPTIONS } from '../domain/app-grants.js';
import { LANGUAGES, type Language } from '../entities/citizen.entity.js';
import { escapeHtml, html } from './http-io.js';

/**
 * The language of the sign-in pages: the first of `ui_locales` (OIDC Core 3.1.2.1) that Sportello
 * speaks, else the browser's `Accept-Language` by preference, else Italian.
 */
export function pageLanguage(uiLocales: string | null, acceptLanguage: string | undefined): Language {
  const spoken = (tag: string): Language | undefined => {
    const primary = tag.trim().toLowerCase().split('-')[0];
    return LANGUAGES.find((language) => language === primary);
  };
  for (const tag of (uiLocales ?? '').split(' ')) {
    const language = spoken(tag);
    if (language !== undefined) return language;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...parameters] = entry.split(';');
      const q = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/.exec(parameter)?.[1]).find(Boolean);
      return { language: spoken(tag), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.language !== undefined && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.language ?? 'it';
}

const TEXTS: Record<Language, { title: string; asks: string; allow: string; deny: string }> = {
  it: {
    title: 'Consentire l’accesso?',
    asks: 'chiede di accedere ai tuoi dati in Sportello per:',
    allow: 'Consenti',
    deny: 'Nega',
  },
  en: {
    title: 'Allow access?',
    asks: 'asks to access your data in Sportello to:',
    allow: 'Allow',
    deny: 'Deny',
  },
  de: {
    title: 'Zugriff erlauben?',
    asks: 'möchte auf Ihre Daten in Sportello zugreifen, um:',
    allow: 'Erlauben',
    deny: 'Ablehnen',
  },
};

/** The consent step: the app, what each scope lets it do in the citizen's language, allow or deny. */
export function consentPage(
  language: Language,
  appName: string,
  scopes: readonly Scope[],
  hiddenFields: string,
  /** Where the form posts: the sign-in step it belongs to. */
  action: string,
): RouteResponse {
  const text = TEXTS[language];
  const items = scopes
    .map((scope) => `<li>${escapeHtml(SCOPE_DESCRIPTIONS[scope]?.[language] ?? scope)}</li>`)
    .join('');
  return html(
    200,
    text.title,
    `<p><strong>${escapeHtml(appName)}</strong> ${escapeHtml(text.asks)}</p><ul>${items}</ul>` +
      `<form method="post" action="${escapeHtml(action)}">${hiddenFields}` +
      `<button name="decision" value="allow">${escapeHtml(text.allow)}</button> ` +
      `<button name="decision" value="deny">${escapeHtml(text.deny)}</button></form>`,
    language,
  );
}
