import type { Actor } from '@sportello/schema';
import { recordAccessRevoked } from '../events/identity-events.js';
import {
  ageOn,
  BadUserInputError,
  civilDate,
  NotFoundError,
  ServiceUnavailableError,
  type EntityManager,
} from '@sportello/platform';
import { DelegationEntity, type Delegation } from '../entities/delegation.entity.js';
import { decodeFiscalCode } from '@sportello/schema';
import {
  AGE_OF_MAJORITY,
  isDelegationActive,
  majorityDay,
  minorDelegationEnd,
  type DelegationKind,
} from './delegation.js';
import { memberOf, RegistryUnavailableError, type FamilyRegistry } from './family-registry.js';

/** Fiscal codes the citizen may act for right now: authoritative, unlike a token's `acts_for`. */
export async function activeDelegators(
  em: EntityManager,
  delegate: string,
  now = new Date(),
): Promise<string[]> {
  const rows = await em.find(DelegationEntity, {
    delegateFiscalCode: delegate,
    revokedAt: null,
    validFrom: { $lte: now },
    $or: [{ validUntil: null }, { validUntil: { $gt: now } }],
  });
  return [...new Set(rows.map((row) => row.delegatorFiscalCode))].sort();
}

/** Delegations where the citizen is delegate (`actsFor`) or delegator (`delegates`), newest first. */
export function delegationsOf(
  em: EntityManager,
  fiscalCode: string,
  side: 'actsFor' | 'delegates',
): Promise<Delegation[]> {
  const where = side === 'actsFor' ? { delegateFiscalCode: fiscalCode } : { delegatorFiscalCode: fiscalCode };
  return em.find(DelegationEntity, where, { orderBy: { createdAt: 'desc' } });
}

/** A delegation to record, as asked. */
export interface DelegationRequest {
  delegator: string;
  delegate: string;
  kind: DelegationKind;
  /** `null`: from now. */
  validFrom: Date | null;
  /** `null`: no end, except a minor child's, which ends at the 18th birthday. */
  validUntil: Date | null;
}

/** What the checks of a new delegation consult. */
export interface DelegationChecks {
  /** Anagrafe; `null` when identity has none configured (a minor child's delegation is refused then). */
  registry: FamilyRegistry | null;
  now: Date;
}

/**
 * The birth date a person's age is counted from: anagrafe's record when the person is resident in
 * the comune (and anagrafe answers), else the date the fiscal code encodes (of the two possible
 * centuries, the latest not in the future: someone over 100 not resident here reads as a child).
 */
async function birthDateOf(
  registry: FamilyRegistry | null,
  comune: string,
  fiscalCode: string,
  now: Date,
): Promise<string> {
  if (registry !== null) {
    try {
      const member = memberOf(await registry.familyOf(comune, fiscalCode), fiscalCode);
      if (member !== null) return member.birthDate;
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError)) throw error;
    }
  }
  return decodeFiscalCode(fiscalCode, { today: now }).birthDate;
}

/**
 * Checks a delegation against the registry and the calendar and works out its end.
 *
 * - no backdating: it starts today at the earliest (`validFrom` of an earlier day is refused);
 * - `minor-child`: the delegator is registered in anagrafe as a child (relationship `CHILD`) of the
 *   delegate's family, where the delegate is the head or the spouse, and is under 18 when it starts;
 *   it ends at the start of the 18th birthday (a later `validUntil` is refused);
 * - `delegating-adult`: delegator and delegate are both adults (18 or older).
 *
 * @returns the window to store.
 * @throws {BadUserInputError} naming the argument (`input.delegator`, `input.delegate`,
 *   `input.validFrom`, `input.validUntil`).
 * @throws {ServiceUnavailableError} (`SERVICE_UNAVAILABLE`) when a minor child's delegation cannot
 *   be checked because anagrafe cannot be reached (or is not configured): nothing is recorded.
 */
export async function checkDelegation(
  comune: string,
  input: DelegationRequest,
  checks: DelegationChecks,
): Promise<{ validFrom: Date; validUntil: Date | null }> {
  const { now, registry } = checks;
  if (input.delegator === input.delegate) {
    throw new BadUserInputError('a citizen cannot delegate to themselves', { field: 'input.delegate' });
  }
  const today = civilDate(now);
  const validFrom = input.validFrom ?? now;
  if (Number.isNaN(validFrom.getTime())) {
    throw new BadUserInputError('validFrom is not a valid date', { field: 'input.validFrom' });
  }
  if (civilDate(validFrom) < today) {
    throw new BadUserInputError(
      `a delegation cannot start before today (${today}): it would apply backwards`,
      {
        field: 'input.validFrom',
      },
    );
  }
  const startDay = civilDate(validFrom);
  let validUntil = input.validUntil;

  if (input.kind === 'minor-child') {
    if (registry === null) {
      throw new ServiceUnavailableError(
        "a minor child's delegation cannot be checked: this comune's registry (anagrafe) is not connected to identity",
        { field: 'input.delegator' },
      );
    }
    let family;
    try {
      family = await registry.familyOf(comune, input.delegator);
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError)) throw error;
      throw new ServiceUnavailableError(
        "the registry of residents (anagrafe) could not be reached to check the child's family: nothing was recorded, try again in a few minutes",
        { field: 'input.delegator', cause: error },
      );
    }
    const child = memberOf(family, input.delegator);
    if (family === null || child === null) {
      throw new BadUserInputError(
        'the child is not a resident of the comune: anagrafe has no family for them',
        {
          field: 'input.delegator',
        },
      );
    }
    if (child.relationship !== 'CHILD') {
      throw new BadUserInputError('the delegator is not registered as a child in their family', {
        field: 'input.delegator',
      });
    }
    if (ageOn(child.birthDate, startDay) >= AGE_OF_MAJORITY) {
      throw new BadUserInputError('the delegator is not a minor: a parent acts only for a child under 18', {
        field: 'input.delegator',
      });
    }
    const parent = memberOf(family, input.delegate);
    if (parent === null || (parent.relationship !== 'HEAD' && parent.relationship !== 'SPOUSE')) {
      throw new BadUserInputError(
        "the delegate is not a parent in the child's family (head of the family or spouse in anagrafe)",
        { field: 'input.delegate' },
      );
    }
    const end = minorDelegationEnd(child.birthDate);
    if (validUntil !== null && validUntil > end) {
      throw new BadUserInputError(
        `a minor child's delegation ends at the 18th birthday (${majorityDay(child.birthDate)}); validUntil is later`,
        { field: 'input.validUntil' },
      );
    }
    validUntil ??= end;
  } else {
    if (ageOn(await birthDateOf(registry, comune, input.delegator, now), today) < AGE_OF_MAJORITY) {
      throw new BadUserInputError('a minor cannot delegate: the delegator must be 18 or older', {
        field: 'input.delegator',
      });
    }
    if (ageOn(await birthDateOf(registry, comune, input.delegate, now), startDay) < AGE_OF_MAJORITY) {
      throw new BadUserInputError('the delegate must be an adult (18 or older) when the delegation starts', {
        field: 'input.delegate',
      });
    }
  }

  if (validUntil !== null) {
    if (Number.isNaN(validUntil.getTime())) {
      throw new BadUserInputError('validUntil is not a valid date', { field: 'input.validUntil' });
    }
    if (validUntil <= validFrom) {
      throw new BadUserInputError('validUntil must be after validFrom', { field: 'input.validUntil' });
    }
    if (validUntil <= now) {
      throw new BadUserInputError('validUntil is already in the past', { field: 'input.validUntil' });
    }
  }
  return { validFrom, validUntil };
}

/**
 * Records a delegation once {@link checkDelegation} accepts it; nothing is written otherwise.
 *
 * @throws {BadUserInputError} naming the argument at fault.
 */
export async function createDelegation(
  em: EntityManager,
  comune: string,
  input: DelegationRequest,
  checks: DelegationChecks,
): Promise<Delegation> {
  const window = await checkDelegation(comune, input, checks);
  const delegation = em.create(DelegationEntity, {
    comune,
    delegatorFiscalCode: input.delegator,
    delegateFiscalCode: input.delegate,
    kind: input.kind,
    validFrom: window.validFrom,
    validUntil: window.validUntil,
    revokedAt: null,
    endAnnouncedAt: null,
  });
  await em.flush();
  return delegation;
}

/** Loads a delegation by id. @throws {NotFoundError} */
export async function requireDelegation(em: EntityManager, id: string): Promise<Delegation> {
  const delegation = await em.findOne(DelegationEntity, { id });
  if (delegation === null) throw new NotFoundError('no delegation with this id');
  return delegation;
}

/**
 * Revokes a delegation at once (idempotent): the delegate's tokens acting for the delegator, their
 * own or an app's on their behalf, are refused everywhere through `access.revoked`.
 */
export async function revokeDelegation(
  em: EntityManager,
  delegation: Delegation,
  actor: Actor | null,
  now = new Date(),
): Promise<Delegation> {
  if (delegation.revokedAt === null) {
    delegation.revokedAt = now;
    recordAccessRevoked(
      em,
      delegation.comune,
      {
        reason: 'delegation-revoked',
        revokedAt: now.toISOString(),
        fiscalCode: delegation.delegateFiscalCode,
        actsFor: delegation.delegatorFiscalCode,
      },
      actor,
    );
    await em.flush();
  }
  return delegation;
}

export { isDelegationActive };
