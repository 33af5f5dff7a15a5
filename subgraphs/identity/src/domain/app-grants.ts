import { NotFoundError, type EntityManager, type Scope } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { ApiClientEntity, ConsentGrantEntity, type ConsentGrant } from '../entities/api-client.entity.js';
import type { Language } from '../entities/citizen.entity.js';
import { recordAccessRevoked } from '../events/identity-events.js';
import { endProviderGrants } from '../oidc/payload-adapter.js';
import { providerGrantIdsOf, revokeRefreshTokens } from '../oidc/refresh-tokens.js';

/**
 * What each scope lets an app do, as the citizen reads it. A read scope only shows; a write scope
 * says that the app acts in the citizen's name.
 */
export const SCOPE_DESCRIPTIONS: Record<Scope, Record<Language, string>> = {
  openid: {
    it: 'Sapere chi sei (il tuo codice fiscale)',
    en: 'Know who you are (your fiscal code)',
    de: 'Wissen, wer Sie sind (Ihre Steuernummer)',
  },
  profile: {
    it: 'Leggere nome, cognome, email e lingua preferita',
    en: 'Read your name, email and preferred language',
    de: 'Ihren Namen, Ihre E-Mail-Adresse und Ihre bevorzugte Sprache lesen',
  },
  'profile:write': {
    it: 'Cambiare a tuo nome email e lingua preferita',
    en: 'Change your email and preferred language in your name',
    de: 'In Ihrem Namen Ihre E-Mail-Adresse und bevorzugte Sprache ändern',
  },
  anagrafe: {
    it: 'Leggere i tuoi dati anagrafici: residenza, famiglia, documenti e certificati',
    en: 'Read your registry data: residence, family, documents and certificates',
    de: 'Ihre Meldedaten lesen: Wohnsitz, Familie, Dokumente und Bescheinigungen',
  },
  'anagrafe:write': {
    it: 'Presentare a tuo nome dichiarazioni anagrafiche, come il cambio di residenza, e richieste di certificati',
    en: 'Make registry declarations, such as a change of residence, and request certificates in your name',
    de: 'In Ihrem Namen Meldeerklärungen wie einen Wohnsitzwechsel abgeben und Bescheinigungen beantragen',
  },
  tributi: {
    it: 'Vedere i tuoi pagamenti dovuti e le ricevute',
    en: 'See your payments due and receipts',
    de: 'Ihre fälligen Zahlungen und Quittungen sehen',
  },
  practices: {
    it: 'Vedere le tue pratiche e i tuoi appuntamenti',
    en: 'See your practices and appointments',
    de: 'Ihre Anträge und Termine sehen',
  },
  'practices:write': {
    it: 'Presentare e seguire pratiche a tuo nome, prenotare e disdire appuntamenti, inviare segnalazioni',
    en: 'File and follow up practices in your name, book and cancel appointments, send reports',
    de: 'In Ihrem Namen Anträge stellen und verfolgen, Termine buchen und absagen, Meldungen senden',
  },
  notifications: {
    it: 'Vedere le tue preferenze di notifica, i canali e i messaggi ricevuti',
    en: 'See your notification preferences, channels and the messages you received',
    de: 'Ihre Benachrichtigungseinstellungen, Kanäle und erhaltenen Nachrichten sehen',
  },
  'notifications:write': {
    it: 'Cambiare a tuo nome le preferenze di notifica e collegare o scollegare Telegram e App IO',
    en: 'Change your notification preferences and link or unlink Telegram and App IO in your name',
    de: 'In Ihrem Namen Benachrichtigungseinstellungen ändern und Telegram und App IO verbinden oder trennen',
  },
};

/** An app the citizen has granted access to, as they see it. */
export interface AppGrant {
  clientId: string;
  /** The app's name, as registered by the comune. */
  name: string;
  scopes: Scope[];
  grantedAt: Date;
  lastUsedAt: Date | null;
}

/**
 * The apps the citizen currently lets reach their data, most recently granted first. Grants of apps
 * the comune revoked are left out: those apps reach nothing any more.
 */
export async function appGrantsOf(em: EntityManager, fiscalCode: string): Promise<AppGrant[]> {
  const grants = await em.find(
    ConsentGrantEntity,
    { fiscalCode, revokedAt: null },
    { orderBy: { grantedAt: 'desc', clientId: 'asc' } },
  );
  if (grants.length === 0) return [];
  const clients = await em.find(ApiClientEntity, {
    clientId: { $in: grants.map((grant) => grant.clientId) },
    revokedAt: null,
  });
  const names = new Map(clients.map((client) => [client.clientId, client.name]));
  return grants.flatMap((grant) => {
    const name = names.get(grant.clientId);
    if (name === undefined) return [];
    // Noted at every access token the app obtains with the grant (code or refresh).
    const lastUsedAt =
      grant.lastUsedAt != null && grant.lastUsedAt >= grant.grantedAt ? grant.lastUsedAt : null;
    return [{ clientId: grant.clientId, name, scopes: grant.scopes, grantedAt: grant.grantedAt, lastUsedAt }];
  });
}

/**
 * Withdraws the citizen's grant to an app at once: the app has to ask again, authorization codes it
 * has not redeemed yet and its refresh tokens for the citizen stop working, and its tokens issued
 * so far for this citizen are refused by every service through `access.revoked` (the app's tokens
 * for other citizens are untouched). The provider's grants of the app's sign-ins for the citizen
 * end with it (their codes and refresh tokens deleted, the citizen's sessions naming them no more):
 * nothing of the withdrawn consent stays.
 *
 * @throws {NotFoundError} when the citizen has no grant to this app (or already withdrew it).
 */
export async function revokeAppGrant(
  em: EntityManager,
  fiscalCode: string,
  clientId: string,
  actor: Actor | null,
  now = new Date(),
): Promise<ConsentGrant> {
  const grant = await em.findOne(ConsentGrantEntity, { fiscalCode, clientId, revokedAt: null });
  if (grant === null) {
    throw new NotFoundError('you have not granted this app access (or already withdrew it)', {
      field: 'clientId',
    });
  }
  grant.revokedAt = now;
  // Granting again starts from what the app asks for then, not from what it had.
  grant.scopes = [];
  grant.lastUsedAt = null;
  // Nor can the app refresh its way back in.
  const providerGrants = await providerGrantIdsOf(em, { clientId, fiscalCode });
  await revokeRefreshTokens(em, { clientId, fiscalCode }, now);
  recordAccessRevoked(
    em,
    grant.comune,
    { reason: 'grant-revoked', revokedAt: now.toISOString(), clientId, fiscalCode },
    actor,
  );
  await em.flush();
  // Once the withdrawal is stored; a grant left by a failure here is ended at the next sign-in.
  await endProviderGrants(em, { accountId: fiscalCode, clientId }, providerGrants);
  return grant;
}

/** Notes that the app obtained an access token with the citizen's grant (code or refresh): shown as "last used". */
export async function noteAppGrantUsed(
  em: EntityManager,
  fiscalCode: string,
  clientId: string,
  now = new Date(),
): Promise<void> {
  const grant = await em.findOne(ConsentGrantEntity, { fiscalCode, clientId, revokedAt: null });
  if (grant === null) return;
  grant.lastUsedAt = now;
  await em.flush();
}
