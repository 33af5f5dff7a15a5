import DataLoader from 'dataloader';
import type { DatabaseRequestContext, EntityManager } from '@sportello/platform';
import type { Actor } from '@sportello/schema';
import { ResidentEntity, type Resident } from './entities/resident.entity.js';
import { todayIn, type IsoDate } from '@sportello/platform';

/** The office whose staff keep the registry. */
export const ANAGRAFE_OFFICE = 'anagrafe';

/** What resolvers need from the configuration. */
export interface AnagrafeSettings {
  comuneNames: Record<string, string>;
  /** The public origin: download links start with it. */
  publicUrl: string;
  certificateVerificationUrl: string;
  onlineCertificatesExempt: boolean;
  timeZone: string;
}

/**
 * What every anagrafe resolver receives: the platform's request context (verified principal,
 * comune-scoped EntityManager, audit sink) plus the request's clock, settings and a batched
 * resident loader.
 */
export interface AnagrafeContext extends DatabaseRequestContext<EntityManager> {
  now: Date;
  /** The comune's calendar day of the request. */
  today: IsoDate;
  settings: AnagrafeSettings;
  /** Residents by fiscal code, batched per request. */
  residents: DataLoader<string, Resident | null>;
}

/** Extends the platform's request context for anagrafe. */
export function createAnagrafeContext(
  base: DatabaseRequestContext<EntityManager>,
  settings: AnagrafeSettings,
  now: Date = new Date(),
): AnagrafeContext {
  const residents = new DataLoader<string, Resident | null>(async (codes) => {
    const rows = await base.em.find(ResidentEntity, { fiscalCode: { $in: [...codes] } });
    const byCode = new Map(rows.map((row) => [row.fiscalCode, row]));
    return codes.map((code) => byCode.get(code) ?? null);
  });
  return { ...base, now, today: todayIn(settings.timeZone, now), settings, residents };
}

/** The actor recorded on events a caller causes (a public id, never a fiscal code). */
export async function actorOf(ctx: AnagrafeContext): Promise<Actor> {
  const principal = ctx.principal;
  switch (principal.kind) {
    case 'citizen': {
      const resident = await ctx.residents.load(principal.fiscalCode);
      return { kind: 'citizen', id: resident?.id ?? 'non-resident' };
    }
    case 'staff':
      return { kind: 'staff', id: principal.username };
    case 'client':
      return { kind: 'client', id: principal.clientId };
    case 'service':
      return { kind: 'system', id: principal.service };
    case 'anonymous':
      return { kind: 'system', id: 'anonymous' };
  }
}
