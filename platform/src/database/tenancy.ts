import {
  p,
  type EntityManager,
  type EventSubscriber,
  type FilterDef,
  type FlushEventArgs,
} from '@mikro-orm/core';

/** Name of the MikroORM filter that scopes every query to one comune. */
export const TENANT_FILTER = 'tenant';

/** The comune a forked EntityManager works for, or `unscoped` for jobs that span comuni. */
export type TenantScope = { comune: string } | { unscoped: true };

const ISTAT_CODE = /^\d{6}$/;

/**
 * Properties every tenant-owned entity spreads into its `defineEntity` properties:
 * `comune`, the ISTAT code of the comune the record belongs to (indexed, since every query
 * filters on it).
 *
 * @example
 * defineEntity({ name: 'Resident', properties: { id: p.uuid().primary(), ...tenantProperties(), ... } })
 */
export function tenantProperties() {
  return { comune: p.string().length(6).index() };
}

/**
 * Thrown when an EntityManager is used on tenant-owned data without a comune, or writes a record
 * of another comune. It is a programming error (the request context picked the wrong EM), so it
 * extends Error, not GraphQLError.
 */
export class TenantViolationError extends Error {
  override readonly name = 'TenantViolationError';
}

/** Validates an ISTAT code given to `fork({ comune })`. @throws TenantViolationError */
export function assertIstatCode(comune: string): void {
  if (!ISTAT_CODE.test(comune)) {
    throw new TenantViolationError(`comune must be a 6-digit ISTAT code, got "${comune}"`);
  }
}

function scopeOf(em: EntityManager): TenantScope | undefined {
  return em.getFilterParams<TenantScope>(TENANT_FILTER);
}

/**
 * The `tenant` filter: active on every EntityManager, it restricts tenant-owned entities (those
 * with a `comune` property) to the comune of the EM. An EM with no scope fails closed instead of
 * reading every comune's rows.
 */
export function tenantFilter(isTenantOwned: (entityName: string) => boolean): FilterDef {
  return {
    name: TENANT_FILTER,
    default: true,
    // Checked inside `cond`, so entities that are not tenant-owned work on any EM.
    args: false,
    cond: (
      args: TenantScope | undefined,
      _type: unknown,
      _em: unknown,
      _options: unknown,
      entityName?: string,
    ) => {
      if (entityName === undefined || !isTenantOwned(entityName)) {
        return {};
      }
      if (args === undefined) {
        throw new TenantViolationError(
          `${entityName} is tenant-owned: query it through database.fork({ comune }) or database.forkUnscoped()`,
        );
      }
      return 'unscoped' in args ? {} : { comune: args.comune };
    },
  };
}

/**
 * Rejects a flush that writes a tenant-owned record of a comune other than the EM's, so a bug in
 * a resolver cannot plant data in another comune. It guards the unit of work (`em.create`,
 * `em.persist`, changed entities); bulk `nativeUpdate`/`nativeDelete` are scoped by the filter,
 * while `em.insert`/`nativeInsert` and raw SQL bypass both and must set `comune` themselves.
 */
export function tenantGuard(isTenantOwned: (entityName: string) => boolean): EventSubscriber {
  return {
    onFlush(args: FlushEventArgs) {
      const scope = scopeOf(args.em);
      if (scope !== undefined && 'unscoped' in scope) {
        return;
      }
      for (const changeSet of args.uow.getChangeSets()) {
        const entityName = changeSet.meta.className;
        if (!isTenantOwned(entityName)) {
          continue;
        }
        const comune = (changeSet.entity as { comune?: unknown }).comune;
        if (scope === undefined) {
          throw new TenantViolationError(
            `${entityName} is tenant-owned: write it through database.fork({ comune }) or database.forkUnscoped()`,
          );
        }
        if (comune !== scope.comune) {
          throw new TenantViolationError(
            `${entityName} belongs to comune ${String(comune)} but this EntityManager works for comune ${scope.comune}`,
          );
        }
      }
    },
  };
}
