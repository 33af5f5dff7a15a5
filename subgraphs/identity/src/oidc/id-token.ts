import type { EntityManager } from '@sportello/platform';
import { CitizenEntity } from '../entities/citizen.entity.js';
import { StaffMemberEntity } from '../entities/staff-member.entity.js';

/** The person a sign-in is about: a citizen (by fiscal code) or a staff member (by username). */
export interface SignedInPerson {
  fiscalCode?: string | null;
  staffUsername?: string | null;
}

/**
 * The claims ID tokens and `/oauth/userinfo` give about a person, as far as the granted scopes
 * allow: `sub` always (the fiscal code of a citizen, the username of a staff member, as in access
 * tokens); with `openid` a citizen's `fiscal_number` (`TINIT-<fiscal code>`, as SPID and CIE name
 * it); with `profile` names, email and language (a staff member's username and display name).
 * `null` when the person no longer exists (or the staff member was disabled).
 */
export async function personClaims(
  em: EntityManager,
  person: SignedInPerson,
  scopes: readonly string[],
): Promise<Record<string, unknown> | null> {
  const profile = scopes.includes('profile');
  if (person.staffUsername != null) {
    const staff = await em.findOne(StaffMemberEntity, { username: person.staffUsername, disabledAt: null });
    if (staff === null) return null;
    return {
      sub: staff.username,
      ...(profile ? { preferred_username: staff.username, name: staff.displayName } : {}),
    };
  }
  if (person.fiscalCode == null) return null;
  const citizen = await em.findOne(CitizenEntity, { fiscalCode: person.fiscalCode });
  if (citizen === null) return null;
  return {
    sub: citizen.fiscalCode,
    ...(scopes.includes('openid') ? { fiscal_number: `TINIT-${citizen.fiscalCode}` } : {}),
    ...(profile
      ? {
          given_name: citizen.givenName,
          family_name: citizen.familyName,
          name: `${citizen.givenName} ${citizen.familyName}`,
          ...(citizen.email == null
            ? {}
            : { email: citizen.email, email_verified: citizen.emailVerifiedAt != null }),
          locale: citizen.preferredLanguage,
        }
      : {}),
  };
}

/** The claims an ID token may carry besides the person's: what discovery lists as supported. */
export const ID_TOKEN_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce'] as const;

/** The person claims {@link personClaims} may give. */
export const PERSON_CLAIMS = [
  'sub',
  'fiscal_number',
  'given_name',
  'family_name',
  'name',
  'email',
  'email_verified',
  'locale',
  'preferred_username',
] as const;
