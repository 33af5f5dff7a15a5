import DataLoader from 'dataloader';
import {
  UnauthenticatedError,
  type DatabaseRequestContext,
  type EntityManager,
  type Principal,
} from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { AuditTrail } from './domain/audit-log.js';
import { activeDelegators } from './domain/delegations.js';
import type { FamilyRegistry } from './domain/family-registry.js';
import { ApiClientEntity } from './entities/api-client.entity.js';
import { CitizenEntity, type Citizen } from './entities/citizen.entity.js';

/** Settings resolvers need besides the database. */
export interface IdentitySettings {
  /** Username of the comune's Telegram bot; `null` disables Telegram linking. */
  telegramBotUsername: string | null;
  /** Anagrafe, consulted when a delegation is recorded; `null`/absent when none is configured. */
  registry?: FamilyRegistry | null;
  /** The clock delegations are judged by. @default the system clock */
  clock?: () => Date;
}

/** What every identity resolver receives: the platform request context, refined. */
export interface IdentityContext extends DatabaseRequestContext<EntityManager> {
  /**
   * The caller. For citizens (and apps acting for one) `actsFor` is re-read from the delegations
   * table, so a revoked or expired delegation stops working here at once, before the token expires.
   */
  principal: Principal;
  settings: IdentitySettings;
  /** Staff reads of personal data, stored in identity's audit log when the request ends; `null` for non-staff callers. */
  auditTrail: AuditTrail | null;
  /** Batches citizen lookups of one request (entity references, lists). */
  citizens: DataLoader<string, Citizen | null>;
}

/** The actor recorded on events a caller causes (a public id, never a fiscal code). */
export async function actorOf(ctx: IdentityContext): Promise<Actor> {
  const principal = ctx.principal;
  switch (principal.kind) {
    case 'citizen': {
      const citizen = await ctx.citizens.load(principal.fiscalCode);
      return { kind: 'citizen', id: citizen?.id ?? 'unknown' };
    }
    case 'staff':
      return { kind: 'staff', id: principal.username };
    case 'client':
      return { kind: 'client', id: principal.clientId };
    case 'service':
    case 'anonymous':
      return { kind: 'system', id: principal.kind === 'service' ? principal.service : 'anonymous' };
  }
}

/**
 * Refines the platform's request context (verified principal, comune-scoped EM) for identity.
 *
 * @throws {UnauthenticatedError} when the token belongs to an API client that has been revoked
 * (revocation applies to tokens already issued, not only to new ones).
 */
export async function createIdentityContext(
  base: DatabaseRequestContext<EntityManager>,
  settings: IdentitySettings,
  operationName: string | null = null,
): Promise<IdentityContext> {
  const em = base.em;
  const now = settings.clock?.() ?? new Date();
  let principal = base.principal;
  if (principal.kind === 'client') {
    const client = await em.findOne(ApiClientEntity, { clientId: principal.clientId });
    if (client === null || client.revokedAt != null) {
      throw new UnauthenticatedError('this API client has been revoked or does not exist', {
        reason: 'CLIENT_REVOKED',
        http: { status: 401 },
      });
    }
    if (principal.onBehalfOf !== undefined) {
      const actsFor = await activeDelegators(em, principal.onBehalfOf.fiscalCode, now);
      principal = { ...principal, onBehalfOf: { ...principal.onBehalfOf, actsFor } };
    }
  } else if (principal.kind === 'citizen') {
    principal = { ...principal, actsFor: await activeDelegators(em, principal.fiscalCode, now) };
  }
  const citizens = new DataLoader<string, Citizen | null>(async (codes) => {
    const rows = await em.find(CitizenEntity, { fiscalCode: { $in: [...codes] } });
    const byCode = new Map(rows.map((row) => [row.fiscalCode, row]));
    return codes.map((code) => byCode.get(code) ?? null);
  });
  return {
    ...base,
    principal,
    settings,
    auditTrail: principal.kind === 'staff' ? new AuditTrail(principal, operationName) : null,
    citizens,
  };
}
