import type { Actor } from '@sportello/schema';
import { recordAccessRevoked } from '../events/identity-events.js';
import { BadUserInputError, NotFoundError, type EntityManager } from '@sportello/platform';
import { DelegationEntity, type Delegation } from '../entities/delegation.entity.js';
import { delegationWindowProblem, isDelegationActive, type DelegationKind } from './delegation.js';

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

/**
 * Records a delegation.
 *
 * @throws {BadUserInputError} when someone would delegate to themselves or the window is unusable.
 */
export async function createDelegation(
  em: EntityManager,
  comune: string,
  input: {
    delegator: string;
    delegate: string;
    kind: DelegationKind;
    validFrom: Date;
    validUntil: Date | null;
  },
  now = new Date(),
): Promise<Delegation> {
  if (input.delegator === input.delegate) {
    throw new BadUserInputError('a citizen cannot delegate to themselves', { field: 'input.delegate' });
  }
  const problem = delegationWindowProblem(input, now);
  if (problem !== undefined) throw new BadUserInputError(problem, { field: 'input' });
  const delegation = em.create(DelegationEntity, {
    comune,
    delegatorFiscalCode: input.delegator,
    delegateFiscalCode: input.delegate,
    kind: input.kind,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    revokedAt: null,
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
