import type { RouteResponse } from '@sportello/platform';
import { escapeHtml, html } from './http-io.js';

/**
 * The sign-out confirmation of RP-initiated logout, in Italian and in the look of the sign-in
 * pages: the provider's form (its hidden `xsrf` token kept as given) with "yes" (`logout=yes`, the
 * whole Sportello session ends) and "no" (only the asking app's part of it ends, as the provider
 * does) buttons.
 *
 * @param form the provider's `<form>`, whose hidden inputs carry its token
 * @param appName the app asking, when the request named one
 */
export function logoutPage(form: string, appName: string | undefined): RouteResponse {
  const asking = appName === undefined ? '' : ` Lo chiede <strong>${escapeHtml(appName)}</strong>.`;
  const buttons =
    '<button type="submit" name="logout" value="yes" autofocus>Sì, esci</button> ' +
    '<button type="submit">No, resta collegato</button>';
  const withButtons = form.includes('</form>')
    ? form.replace('</form>', `${buttons}</form>`)
    : `${form}<p>${buttons.replaceAll('<button ', '<button form="op.logoutForm" ')}</p>`;
  return html(
    200,
    'Uscire da Sportello?',
    `<p>Vuoi uscire dal tuo accesso a Sportello in questo browser?${asking}</p>${withButtons}`,
    'it',
  );
}

/**
 * The page after signing out, when the app gave no address to return to: out of Sportello, or only
 * out of the app named (the "no" of {@link logoutPage}).
 */
export function signedOutPage(appName: string | undefined): RouteResponse {
  const from = appName === undefined ? 'Sportello' : `<strong>${escapeHtml(appName)}</strong>`;
  return html(200, 'Sei uscito', `<p>Sei uscito da ${from}.</p><p>Puoi chiudere questa pagina.</p>`, 'it');
}
