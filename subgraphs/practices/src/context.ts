import type { DatabaseRequestContext, EntityManager, Principal } from '@sportello/platform';
import { createPracticeLoaders, type PracticeLoaders } from './domain/practice-loaders.js';
import type { TerritoryCache } from './domain/territory-cache.js';
import type { WorkflowRole } from './domain/workflow.js';

/** Settings resolvers and routes need besides the database. */
export interface PracticesSettings {
  attachmentMaxBytes: number;
  timeZone: string;
}

/**
 * What every practices resolver receives: the platform's request context (verified principal,
 * comune-scoped EntityManager, audit sink) plus the request's clock and settings.
 */
export interface PracticesContext extends DatabaseRequestContext<EntityManager> {
  /** One instant for every rule checked in the request. */
  now: Date;
  settings: PracticesSettings;
  /** Batches the reads behind list fields, so their statements do not grow with the list. */
  loaders: PracticeLoaders;
  /** The comune territories reports are checked against, shared by the process's requests. */
  territories: TerritoryCache;
}

export function createPracticesContext(
  base: DatabaseRequestContext<EntityManager>,
  settings: PracticesSettings,
  territories: TerritoryCache,
  now: Date = new Date(),
): PracticesContext {
  return { ...base, now, settings, territories, loaders: createPracticeLoaders(base.em) };
}

/** The workflow role a caller plays: staff act as the office, everyone else as the citizen. */
export function workflowRoleOf(principal: Principal): WorkflowRole {
  return principal.kind === 'staff' ? 'staff' : 'citizen';
}
