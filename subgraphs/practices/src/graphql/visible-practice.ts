import { auditPersonalDataRead, requireAuthenticated, requireStaff, type Office } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { canSeePractice, requireCitizen } from '../domain/access.js';
import { findPractice } from '../domain/practice-operations.js';
import type { Practice } from '../entities/practice.entity.js';
import { practiceNotFound } from '../errors.js';
import type { PracticesContext } from '../context.js';

/**
 * A practice the caller may see, audited when staff read it.
 * @throws UnauthenticatedError for anonymous callers, NotFoundError when it does not exist or is
 *   not theirs to see (existence is not revealed)
 */
export async function visiblePractice(ctx: PracticesContext, id: string): Promise<Practice> {
  requireAuthenticated(ctx.principal);
  // Through the loader: a live dashboard's updates ask for many practices in one request.
  const practice = await ctx.loaders.practice.load(id);
  if (practice === null || !canSeePractice(ctx.principal, practice)) throw practiceNotFound(id);
  await auditPractice(ctx, practice);
  return practice;
}

/** Records a staff read of the applicant's personal data (no-op for other callers). */
export async function auditPractice(ctx: PracticesContext, practice: Practice): Promise<void> {
  await auditPersonalDataRead(ctx, practice.applicantFiscalCode, {
    action: 'read',
    resource: `Practice:${practice.id}`,
  });
}

/** A practice the staff caller's office handles, and the actor to record. */
export async function officePractice(
  ctx: PracticesContext,
  id: string,
): Promise<{ practice: Practice; actor: Actor }> {
  const staff = requireStaff(ctx.principal);
  const practice = await findPractice(ctx.em, id);
  if (practice === null) throw practiceNotFound(id);
  requireStaff(ctx.principal, practice.office as Office);
  await auditPractice(ctx, practice);
  return { practice, actor: { kind: 'staff', id: staff.username } };
}

/** The caller's own public id, to mark their entries in timelines; never creates an alias. */
export async function viewerId(ctx: PracticesContext): Promise<string | null> {
  const principal = ctx.principal;
  if (principal.kind === 'staff') return principal.username;
  if (principal.kind !== 'citizen' && !(principal.kind === 'client' && principal.onBehalfOf)) return null;
  const caller = requireCitizen(principal);
  return ctx.loaders.citizenAlias.load(caller.fiscalCode.toUpperCase());
}
