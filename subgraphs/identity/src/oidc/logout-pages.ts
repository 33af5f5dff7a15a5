import type { RouteResponse } from '@sportello/platform';
import type { Language } from '../entities/citizen.entity.js';
import { escapeHtml, html } from './http-io.js';

const TEXTS: Record<
  Language,
  {
    title: string;
    question: string;
    asks: (app: string) => string;
    yes: string;
    no: string;
    signedOutTitle: string;
    signedOut: (from: string) => string;
    close: string;
  }
> = {
  it: {
    title: 'Uscire da Sportello?',
    question: 'Vuoi uscire dal tuo accesso a Sportello in questo browser?',
    asks: (app) => `Lo chiede ${app}.`,
    yes: 'Sì, esci',
    no: 'No, resta collegato',
    signedOutTitle: 'Sei uscito',
    signedOut: (from) => `Sei uscito da ${from}.`,
    close: 'Puoi chiudere questa pagina.',
  },
  en: {
    title: 'Sign out of Sportello?',
    question: 'Do you want to sign out of Sportello in this browser?',
    asks: (app) => `${app} is asking.`,
    yes: 'Yes, sign out',
    no: 'No, stay signed in',
    signedOutTitle: 'Signed out',
    signedOut: (from) => `You have signed out of ${from}.`,
    close: 'You can close this page.',
  },
  de: {
    title: 'Von Sportello abmelden?',
    question: 'Möchten Sie sich in diesem Browser von Sportello abmelden?',
    asks: (app) => `${app} fragt danach.`,
    yes: 'Ja, abmelden',
    no: 'Nein, angemeldet bleiben',
    signedOutTitle: 'Abgemeldet',
    signedOut: (from) => `Sie haben sich von ${from} abgemeldet.`,
    close: 'Sie können diese Seite schließen.',
  },
};

/**
 * The sign-out confirmation of RP-initiated logout, in the person's language (as the consent page
 * chooses it) and in the look of the sign-in pages: the provider's form (its hidden `xsrf` token
 * kept as given) with "yes" (`logout=yes`, the whole Sportello session ends) and "no" (only the
 * asking app's part of it ends, as the provider does) buttons.
 *
 * @param form the provider's `<form>`, whose hidden inputs carry its token
 * @param appName the app asking, when the request named one
 */
export function logoutPage(language: Language, form: string, appName: string | undefined): RouteResponse {
  const text = TEXTS[language];
  const asking = appName === undefined ? '' : ` ${text.asks(`<strong>${escapeHtml(appName)}</strong>`)}`;
  const buttons =
    `<button type="submit" name="logout" value="yes" autofocus>${escapeHtml(text.yes)}</button> ` +
    `<button type="submit">${escapeHtml(text.no)}</button>`;
  const withButtons = form.includes('</form>')
    ? form.replace('</form>', `${buttons}</form>`)
    : `${form}<p>${buttons.replaceAll('<button ', '<button form="op.logoutForm" ')}</p>`;
  return html(200, text.title, `<p>${escapeHtml(text.question)}${asking}</p>${withButtons}`, language);
}

/**
 * The page after signing out, when the app gave no address to return to, in the person's language:
 * out of Sportello, or only out of the app named (the "no" of {@link logoutPage}).
 */
export function signedOutPage(language: Language, appName: string | undefined): RouteResponse {
  const text = TEXTS[language];
  const from = appName === undefined ? 'Sportello' : `<strong>${escapeHtml(appName)}</strong>`;
  return html(
    200,
    text.signedOutTitle,
    `<p>${text.signedOut(from)}</p><p>${escapeHtml(text.close)}</p>`,
    language,
  );
}
