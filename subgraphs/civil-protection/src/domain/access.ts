import { requireStaff, type Principal } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { CIVIL_PROTECTION_OFFICE, type CivilProtectionContext } from '../context.js';

/**
 * Lets civil-protection staff through and returns the actor to record on events.
 * @throws UnauthenticatedError for anonymous callers, ForbiddenError for anyone else
 */
export function requireCivilProtectionStaff(ctx: CivilProtectionContext): Actor {
  const staff = requireStaff(ctx.principal, CIVIL_PROTECTION_OFFICE);
  return { kind: 'staff', id: staff.username };
}

/** Whether the caller may see drafts (civil-protection staff). */
export function isCivilProtectionStaff(principal: Principal): boolean {
  return principal.kind === 'staff' && principal.offices.includes(CIVIL_PROTECTION_OFFICE);
}
