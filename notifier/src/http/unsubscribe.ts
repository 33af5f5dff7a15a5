import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database, Logger, Route, RouteResponse, ServiceRequest } from '@sportello/platform';
import type { Language } from '../channels/channel.js';
import type { ContactDirectory } from '../directory/contact-directory.js';
import { DeliveryEntity } from '../entities/delivery.entity.js';
import { NotificationEntity } from '../entities/notification.entity.js';

/** Where one-click unsubscribe links point, on the public origin (the gateway forwards it here). */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

/**
 * Signs and checks the one-click unsubscribe links of messages (RFC 8058). A link names one delivery
 * (an opaque id: no personal data in the URL) and carries an HMAC of it, so nobody can unsubscribe
 * someone else by guessing.
 */
export interface UnsubscribeLinks {
  /** The link of a delivery: `<PUBLIC_URL>/unsubscribe?t=<delivery id>.<signature>`. */
  linkFor(deliveryId: string): string;
  /** The delivery a token names, or `undefined` for a forged or malformed one. */
  deliveryOf(token: string): string | undefined;
}

/**
 * @param secret - the deployment's internal secret (links survive restarts and hold on every
 *   replica); `null` makes a key for this process only (a notifier run alone in a demo).
 */
export function createUnsubscribeLinks(publicUrl: string, secret: string | null): UnsubscribeLinks {
  const key =
    secret === null
      ? randomBytes(32)
      : createHmac('sha256', secret).update('sportello one-click unsubscribe').digest();
  const sign = (deliveryId: string) => createHmac('sha256', key).update(deliveryId).digest().subarray(0, 18);
  return {
    linkFor(deliveryId) {
      return `${publicUrl}${UNSUBSCRIBE_PATH}?t=${deliveryId}.${sign(deliveryId).toString('base64url')}`;
    },
    deliveryOf(token) {
      const [deliveryId, signature] = token.split('.');
      if (!deliveryId || !signature || !/^[0-9a-f-]{36}$/.test(deliveryId)) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(deliveryId);
      return given.length === expected.length && timingSafeEqual(given, expected) ? deliveryId : undefined;
    },
  };
}

const CATEGORY_NAMES: Record<Language, Record<string, string>> = {
  it: {
    ordinances: 'ordinanze del sindaco',
    'civil-protection-alerts': 'allerte di protezione civile',
    'practice-updates': 'aggiornamenti sulle pratiche',
    'payment-reminders': 'promemoria di pagamento',
    'document-expiry': 'scadenza dei documenti',
  },
  en: {
    ordinances: "mayor's ordinances",
    'civil-protection-alerts': 'civil protection alerts',
    'practice-updates': 'updates on your applications',
    'payment-reminders': 'payment reminders',
    'document-expiry': 'document expiry',
  },
  de: {
    ordinances: 'Verordnungen des Bürgermeisters',
    'civil-protection-alerts': 'Zivilschutzwarnungen',
    'practice-updates': 'Neuigkeiten zu Ihren Anträgen',
    'payment-reminders': 'Zahlungserinnerungen',
    'document-expiry': 'Ablauf von Dokumenten',
  },
};

const TEXTS = {
  it: {
    title: 'Disiscrizione',
    ask: (what: string) => `Non vuoi più ricevere per email i messaggi su: ${what}?`,
    confirm: 'Sì, non inviarmeli più',
    done: (what: string) => `Fatto: non riceverai più per email i messaggi su: ${what}.`,
    refused: 'Gli avvisi di allerta rossa non si possono disattivare: riguardano la tua sicurezza.',
    invalid: 'Questo collegamento non è valido.',
  },
  en: {
    title: 'Unsubscribe',
    ask: (what: string) => `Stop receiving emails about: ${what}?`,
    confirm: 'Yes, stop sending them',
    done: (what: string) => `Done: you will no longer receive emails about: ${what}.`,
    refused: 'Red alerts cannot be turned off: they are about your safety.',
    invalid: 'This link is not valid.',
  },
  de: {
    title: 'Abmelden',
    ask: (what: string) => `Keine E-Mails mehr erhalten zu: ${what}?`,
    confirm: 'Ja, keine mehr senden',
    done: (what: string) => `Erledigt: Sie erhalten keine E-Mails mehr zu: ${what}.`,
    refused: 'Rote Warnungen können nicht abbestellt werden: es geht um Ihre Sicherheit.',
    invalid: 'Dieser Link ist nicht gültig.',
  },
} as const;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, language: Language, body: string): RouteResponse {
  const html = `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(TEXTS[language].title)}</title></head><body><main>${body}</main></body></html>`;
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: html,
  };
}

/**
 * `GET /unsubscribe?t=`: a page asking to confirm (a link prefetched by a mail scanner changes
 * nothing); `POST /unsubscribe?t=`: the unsubscription itself, as a mail client's one-click button
 * (`List-Unsubscribe=One-Click`) or the page's form sends it. Identity turns the channel off for the
 * message's category; critical alerts are refused.
 */
export function unsubscribeRoutes(options: {
  links: UnsubscribeLinks;
  database: Database;
  contacts: ContactDirectory;
  logger: Logger;
}): Route[] {
  async function resolve(request: ServiceRequest) {
    const deliveryId = options.links.deliveryOf(request.url.searchParams.get('t') ?? '');
    if (deliveryId === undefined) return undefined;
    const em = options.database.forkUnscoped();
    const delivery = await em.findOne(DeliveryEntity, { id: deliveryId }, { filters: false });
    if (delivery === null || delivery.fiscalCode === null) return undefined;
    const notification = await em.findOne(
      NotificationEntity,
      { eventId: delivery.eventId },
      { filters: false },
    );
    if (notification === null) return undefined;
    return { delivery, notification, language: delivery.language };
  }

  const invalid = () => page(404, 'it', `<p>${TEXTS.it.invalid}</p>`);

  return [
    {
      method: 'GET',
      path: UNSUBSCRIBE_PATH,
      async handler(request) {
        const found = await resolve(request);
        if (found === undefined) return invalid();
        const texts = TEXTS[found.language];
        const what =
          CATEGORY_NAMES[found.language][found.notification.category] ?? found.notification.category;
        if (found.notification.critical)
          return page(200, found.language, `<p>${escapeHtml(texts.refused)}</p>`);
        return page(
          200,
          found.language,
          `<p>${escapeHtml(texts.ask(what))}</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(texts.confirm)}</button></form>`,
        );
      },
    },
    {
      method: 'POST',
      path: UNSUBSCRIBE_PATH,
      async handler(request) {
        const found = await resolve(request);
        if (found === undefined) return invalid();
        const { delivery, notification, language } = found;
        const texts = TEXTS[language];
        const what = CATEGORY_NAMES[language][notification.category] ?? notification.category;
        const outcome = notification.critical
          ? 'refused'
          : await options.contacts.unsubscribe(
              delivery.comune,
              delivery.fiscalCode!,
              notification.category,
              delivery.channel,
            );
        options.logger.info(
          { deliveryId: delivery.id, category: notification.category, channel: delivery.channel, outcome },
          'one-click unsubscribe',
        );
        return outcome === 'done'
          ? page(200, language, `<p>${escapeHtml(texts.done(what))}</p>`)
          : page(400, language, `<p>${escapeHtml(texts.refused)}</p>`);
      },
    },
  ];
}
