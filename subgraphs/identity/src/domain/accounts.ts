import { BadUserInputError, ConflictError, NotFoundError, type EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import {
  CitizenEntity,
  EmailVerificationEntity,
  TelegramLinkTokenEntity,
  type Citizen,
  type Language,
} from '../entities/citizen.entity.js';
import { recordAccessRevoked, recordCitizenEvent } from '../events/identity-events.js';
import {
  applyPreferenceChanges,
  defaultPreferences,
  effectivePreferences,
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CHANNELS,
  PreferenceRuleViolation,
  type PreferenceChange,
} from './preferences.js';
import { digestToken, generateOneTimeToken } from './secrets.js';
import { telegramDeepLink } from './telegram-link.js';

/** How long one-time tokens stay valid. */
const TELEGRAM_LINK_TTL_MS = 15 * 60_000;
const EMAIL_VERIFICATION_TTL_MS = 24 * 3_600_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A new citizen's identity, as a login or the demo seed provides it. */
export interface NewCitizen {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  email?: string | null;
  emailVerified?: boolean;
  preferredLanguage?: Language;
  ioEnabled?: boolean;
  /** A Telegram chat the citizen already linked elsewhere (migrated or demo accounts). */
  telegramChatId?: string | null;
}

/** Loads a citizen of the EM's comune by fiscal code. */
export function findCitizen(em: EntityManager, fiscalCode: string): Promise<Citizen | null> {
  return em.findOne(CitizenEntity, { fiscalCode });
}

async function requireCitizen(em: EntityManager, fiscalCode: string): Promise<Citizen> {
  const citizen = await findCitizen(em, fiscalCode);
  if (citizen === null) throw new NotFoundError('no account exists for this citizen in this comune');
  return citizen;
}

/**
 * Finds the citizen or opens their account (first login), announcing `citizen.registered`.
 * The names of an existing account are refreshed from the identity provider, which is authoritative.
 */
/** Creates (persists on the next flush) a citizen with default preferences; no event. */
export function newCitizen(em: EntityManager, comune: string, person: NewCitizen, now: Date): Citizen {
  return em.create(CitizenEntity, {
    comune,
    fiscalCode: person.fiscalCode,
    givenName: person.givenName,
    familyName: person.familyName,
    email: person.email ?? null,
    emailVerifiedAt: person.email && person.emailVerified ? now : null,
    telegramChatId: person.telegramChatId ?? null,
    telegramLinkedAt: person.telegramChatId ? now : null,
    ioEnabled: person.ioEnabled ?? false,
    preferredLanguage: person.preferredLanguage ?? 'it',
    preferences: defaultPreferences(),
  });
}

export async function ensureCitizen(
  em: EntityManager,
  comune: string,
  person: NewCitizen,
  now = new Date(),
): Promise<Citizen> {
  const existing = await findCitizen(em, person.fiscalCode);
  if (existing !== null) {
    existing.givenName = person.givenName;
    existing.familyName = person.familyName;
    await em.flush();
    return existing;
  }
  const citizen = newCitizen(em, comune, person, now);
  recordCitizenEvent(em, 'citizen.registered', citizen, { kind: 'system', id: 'identity' }, {}, now);
  await em.flush();
  return citizen;
}

/**
 * Applies preference changes; announces `citizen.preferences-changed` when anything changed.
 *
 * @throws {BadUserInputError} when a change tries to turn off critical alerts (nothing is applied).
 */
export async function changePreferences(
  em: EntityManager,
  fiscalCode: string,
  changes: PreferenceChange[],
  actor: Actor,
): Promise<Citizen> {
  const citizen = await requireCitizen(em, fiscalCode);
  const before = effectivePreferences(citizen.preferences);
  let next;
  try {
    next = applyPreferenceChanges(before, changes);
  } catch (error) {
    if (error instanceof PreferenceRuleViolation) {
      const index = changes.indexOf(error.change);
      throw new BadUserInputError(error.message, { field: ['changes', index, 'enabled'] });
    }
    throw error;
  }
  const changed = NOTIFICATION_CATEGORIES.flatMap((category) =>
    NOTIFICATION_CHANNELS.filter((channel) => before[category][channel] !== next[category][channel]).map(
      (channel) => `${category}.${channel}`,
    ),
  );
  if (changed.length > 0) {
    citizen.preferences = next;
    recordCitizenEvent(em, 'citizen.preferences-changed', citizen, actor, { changed });
    await em.flush();
  }
  return citizen;
}

/** Sets the language the comune writes to the citizen in. */
export async function setPreferredLanguage(
  em: EntityManager,
  fiscalCode: string,
  language: Language,
): Promise<Citizen> {
  const citizen = await requireCitizen(em, fiscalCode);
  citizen.preferredLanguage = language;
  await em.flush();
  return citizen;
}

/** Turns delivery through App IO on or off. */
/**
 * Signs a citizen out everywhere: every token issued to them up to now (their own sessions, not the
 * apps they granted) is refused by every service at once, through `access.revoked`.
 */
export async function signOutEverywhere(
  em: EntityManager,
  fiscalCode: string,
  actor: Actor,
  now = new Date(),
): Promise<Citizen> {
  const citizen = await requireCitizen(em, fiscalCode);
  citizen.signedOutAt = now;
  recordAccessRevoked(
    em,
    citizen.comune,
    { reason: 'signed-out', revokedAt: now.toISOString(), fiscalCode },
    actor,
  );
  await em.flush();
  return citizen;
}

export async function setIoEnabled(
  em: EntityManager,
  fiscalCode: string,
  enabled: boolean,
): Promise<Citizen> {
  const citizen = await requireCitizen(em, fiscalCode);
  citizen.ioEnabled = enabled;
  await em.flush();
  return citizen;
}

/**
 * Records a new email address, unverified until the citizen presents the token (sent to that
 * address by the notifier). The previous address stops being used at once.
 *
 * @returns the token to deliver and when it expires.
 * @throws {BadUserInputError} when the address is not an email address.
 */
export async function requestEmailChange(
  em: EntityManager,
  fiscalCode: string,
  email: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const address = email.trim().toLowerCase();
  if (!EMAIL.test(address) || address.length > 254) {
    throw new BadUserInputError('email is not a valid email address', { field: 'email' });
  }
  const citizen = await requireCitizen(em, fiscalCode);
  citizen.email = address;
  citizen.emailVerifiedAt = null;
  const token = generateOneTimeToken();
  const expiresAt = new Date(now.getTime() + EMAIL_VERIFICATION_TTL_MS);
  em.create(EmailVerificationEntity, {
    comune: citizen.comune,
    fiscalCode,
    email: address,
    tokenDigest: digestToken(token),
    expiresAt,
    usedAt: null,
  });
  await em.flush();
  return { token, expiresAt };
}

/**
 * Confirms an email address with the token sent to it; announces `citizen.contact-verified`.
 *
 * @throws {BadUserInputError} for an unknown, used or expired token, or one issued for an address
 * the citizen has since replaced.
 */
export async function verifyEmail(
  em: EntityManager,
  fiscalCode: string,
  token: string,
  actor: Actor,
  now = new Date(),
): Promise<Citizen> {
  const verification = await em.findOne(EmailVerificationEntity, {
    tokenDigest: digestToken(token),
    fiscalCode,
  });
  if (verification === null || verification.usedAt !== null || verification.expiresAt <= now) {
    throw new BadUserInputError(
      'the verification token is unknown, already used or expired: request a new one',
      {
        field: 'token',
      },
    );
  }
  const citizen = await requireCitizen(em, fiscalCode);
  if (citizen.email !== verification.email) {
    throw new BadUserInputError('this token was issued for an address that has since been replaced', {
      field: 'token',
    });
  }
  verification.usedAt = now;
  citizen.emailVerifiedAt = now;
  recordCitizenEvent(em, 'citizen.contact-verified', citizen, actor, { channel: 'email' }, now);
  await em.flush();
  return citizen;
}

/** Creates a one-time Telegram deep link for the citizen. */
export async function createTelegramLink(
  em: EntityManager,
  fiscalCode: string,
  botUsername: string,
  now = new Date(),
): Promise<{ url: string; expiresAt: Date }> {
  const citizen = await requireCitizen(em, fiscalCode);
  const token = generateOneTimeToken();
  const expiresAt = new Date(now.getTime() + TELEGRAM_LINK_TTL_MS);
  em.create(TelegramLinkTokenEntity, {
    comune: citizen.comune,
    fiscalCode,
    tokenDigest: digestToken(token),
    expiresAt,
    usedAt: null,
  });
  await em.flush();
  return { url: telegramDeepLink(botUsername, token), expiresAt };
}

/**
 * Redeems a deep-link token the bot received with `/start`, linking the chat; announces
 * `citizen.telegram-linked`.
 *
 * @throws {BadUserInputError} for an unknown, used or expired token.
 * @throws {ConflictError} when the chat is already linked to another citizen.
 */
export async function linkTelegramChat(
  em: EntityManager,
  token: string,
  chatId: string,
  actor: Actor,
  now = new Date(),
): Promise<Citizen> {
  const link = await em.findOne(TelegramLinkTokenEntity, { tokenDigest: digestToken(token) });
  if (link === null || link.usedAt !== null || link.expiresAt <= now) {
    throw new BadUserInputError(
      'the link token is unknown, already used or expired: ask the citizen to open a new link',
      {
        field: 'token',
      },
    );
  }
  const other = await em.findOne(CitizenEntity, {
    telegramChatId: chatId,
    fiscalCode: { $ne: link.fiscalCode },
  });
  if (other !== null) throw new ConflictError('this Telegram chat is already linked to another account');
  const citizen = await requireCitizen(em, link.fiscalCode);
  link.usedAt = now;
  citizen.telegramChatId = chatId;
  citizen.telegramLinkedAt = now;
  recordCitizenEvent(em, 'citizen.telegram-linked', citizen, actor, {}, now);
  await em.flush();
  return citizen;
}

/** Unlinks the citizen's Telegram chat (their choice, or the bot was blocked); a no-op when none is linked. */
export async function unlinkTelegram(
  em: EntityManager,
  citizen: Citizen,
  reason: 'citizen' | 'blocked',
  actor: Actor,
): Promise<Citizen> {
  if (citizen.telegramChatId === null) return citizen;
  citizen.telegramChatId = null;
  citizen.telegramLinkedAt = null;
  recordCitizenEvent(em, 'citizen.telegram-unlinked', citizen, actor, { reason });
  await em.flush();
  return citizen;
}
