import { recordAccessRevoked } from '../events/identity-events.js';
import { BadUserInputError, OFFICES, type EntityManager, type Office } from '@sportello/platform';
import { StaffMemberEntity, type StaffMember } from '../entities/staff-member.entity.js';

/** What an administrator says of a new staff member. */
export interface NewStaffMember {
  username: string;
  displayName: string;
  offices: string[];
}

const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,99}$/;

function checkUsername(username: string): string {
  if (!USERNAME.test(username)) {
    throw new BadUserInputError(
      'username must be 2 to 100 lower-case letters, digits, ".", "_", "-" or "@", as the sign-in provider names the person',
      { field: 'username' },
    );
  }
  return username;
}

function checkOffices(offices: string[]): Office[] {
  const unique = [...new Set(offices)];
  if (unique.length === 0)
    throw new BadUserInputError('a staff member works in at least one office', { field: 'offices' });
  const unknown = unique.filter((office) => !(OFFICES as readonly string[]).includes(office));
  if (unknown.length > 0)
    throw new BadUserInputError(`unknown offices: ${unknown.join(', ')}`, { field: 'offices' });
  return unique as Office[];
}

async function findMember(em: EntityManager, username: string): Promise<StaffMember> {
  const member = await em.findOne(StaffMemberEntity, { username });
  if (member === null)
    throw new BadUserInputError(`no staff member "${username}" in this comune`, { field: 'username' });
  return member;
}

/** Adds a staff member of the comune; the username must be new in it. */
export async function addStaffMember(
  em: EntityManager,
  comune: string,
  input: NewStaffMember,
): Promise<StaffMember> {
  const username = checkUsername(input.username.trim());
  const displayName = input.displayName.trim();
  if (displayName.length < 1 || displayName.length > 120) {
    throw new BadUserInputError('displayName must be 1 to 120 characters', { field: 'displayName' });
  }
  const offices = checkOffices(input.offices);
  if ((await em.findOne(StaffMemberEntity, { username })) !== null) {
    throw new BadUserInputError(`staff member "${username}" already exists in this comune`, {
      field: 'username',
    });
  }
  const member = em.create(StaffMemberEntity, { comune, username, displayName, offices, disabledAt: null });
  await em.flush();
  return member;
}

/** Replaces the offices of a staff member (effective at their next sign-in). */
export async function setStaffOffices(
  em: EntityManager,
  username: string,
  offices: string[],
): Promise<StaffMember> {
  const member = await findMember(em, username);
  member.offices = checkOffices(offices);
  await em.flush();
  return member;
}

/**
 * Enables or disables a staff member: a disabled one can no longer sign in, and the tokens already
 * issued are refused everywhere at once (`access.revoked`). An administrator cannot disable themself.
 */
export async function setStaffEnabled(
  em: EntityManager,
  username: string,
  enabled: boolean,
  actingUsername: string,
): Promise<StaffMember> {
  const member = await findMember(em, username);
  if (!enabled && username === actingUsername) {
    throw new BadUserInputError('an administrator cannot disable their own account', { field: 'username' });
  }
  if (!enabled && member.disabledAt === null) {
    member.disabledAt = new Date();
    recordAccessRevoked(
      em,
      member.comune,
      { reason: 'staff-disabled', revokedAt: member.disabledAt.toISOString(), username: member.username },
      { kind: 'staff', id: actingUsername },
    );
  } else if (enabled) {
    member.disabledAt = null;
  }
  await em.flush();
  return member;
}
