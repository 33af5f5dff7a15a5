import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { EntityManager } from '@sportello/platform';
import { OidcPayloadEntity, type OidcPayload } from '../entities/oidc-payload.entity.js';

/**
 * The models whose instances belong to a grant: revoking the grant (`revokeByGrantId`, asked of any
 * one of them) deletes the instances of them all, as the library's reference adapter does. Other
 * models may carry a `grantId` (an interaction does) without being ended with the grant.
 */
const GRANT_MEMBERS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * Ends the provider's grants `grantIds` of the app `clientId` for the person `accountId` in its
 * storage at once, as the provider ends one: the codes and tokens of every model of each grant
 * (what `revokeByGrantId` deletes) and the grant itself; the person's sessions no longer name them
 * for the app (the browser stays signed in). For what identity decides outside a request to the
 * provider (a citizen withdrawing an app's grant): the refresh tokens are refused from then on, and
 * the browser's next authorization to the app finds no grant, a new sign-in. Grants already gone
 * change nothing.
 *
 * @param em any EntityManager of identity's database (the rows are not a tenant's)
 */
export async function endProviderGrants(
  em: EntityManager,
  of: { accountId: string; clientId: string },
  grantIds: readonly string[],
): Promise<void> {
  if (grantIds.length === 0) return;
  const ids = [...new Set(grantIds)];
  await em.nativeDelete(OidcPayloadEntity, {
    $or: [{ grantId: { $in: ids } }, { kind: 'Grant', id: { $in: ids } }],
  });
  await forgetSessionGrants(em, of, new Set(ids));
}

/** What a session keeps of an app: its `sid`, and the grant of the app's sign-ins. */
type SessionAuthorizations = Record<string, { grantId?: string } & Record<string, unknown>>;

/**
 * How many times a session the provider saved meanwhile is read again before it is left as it is
 * (naming a grant that is gone, which the next authorization treats as none).
 */
const SESSION_SAVE_RETRIES = 3;

/**
 * Takes the grants out of the person's sessions for the app. A session the provider saved
 * meanwhile (its expiry moves at each save) is read again, so that nothing it saved is lost.
 */
async function forgetSessionGrants(
  em: EntityManager,
  { accountId, clientId }: { accountId: string; clientId: string },
  grantIds: ReadonlySet<string>,
): Promise<void> {
  // By the indexed column: only the person's own sessions are read, however many others there are.
  const sessions = await em.find(
    OidcPayloadEntity,
    { kind: 'Session', accountId },
    { fields: ['kind', 'id'], disableIdentityMap: true },
  );
  for (const { id } of sessions) {
    for (let attempt = 0; attempt <= SESSION_SAVE_RETRIES; attempt += 1) {
      const session = await em.findOne(
        OidcPayloadEntity,
        { kind: 'Session', id },
        { disableIdentityMap: true },
      );
      const authorizations = session?.payload.authorizations as SessionAuthorizations | undefined;
      const entry = authorizations?.[clientId];
      if (session == null || entry?.grantId === undefined || !grantIds.has(entry.grantId)) break;
      const { grantId: _ended, ...kept } = entry;
      const saved = await em.nativeUpdate(
        OidcPayloadEntity,
        { kind: 'Session', id, expiresAt: session.expiresAt ?? null },
        { payload: { ...session.payload, authorizations: { ...authorizations, [clientId]: kept } } },
      );
      if (saved > 0) break;
    }
  }
}

/** Options of {@link createPayloadAdapter}. */
export interface PayloadAdapterOptions {
  /** Now, in epoch milliseconds: when rows expire and are consumed. @default Date.now */
  now?: () => number;
  /**
   * Seconds a row stays found after the `expiresIn` it was stored with: the provider's
   * `clockTolerance`, so a token it still accepts is still there. @default 0
   */
  clockToleranceSeconds?: number;
}

/** A non-empty string in the payload, else `null`. */
function lookupKey(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The payload as the library stored it, with `consumed` (epoch seconds) once it was consumed. */
function storedPayload(row: OidcPayload): AdapterPayload {
  const payload = row.payload as AdapterPayload;
  if (row.consumedAt == null || payload.consumed) return payload;
  return { ...payload, consumed: Math.floor(row.consumedAt.getTime() / 1000) };
}

/**
 * The storage of identity's OpenID provider (`oidc-provider`'s `adapter` setting) in identity's
 * database, table `oidc_payload`, on SQLite and PostgreSQL alike. The returned class is built by
 * the library once per model (`new Adapter('Session')`, `new Adapter('AccessToken')`...).
 *
 * - `upsert` is one atomic insert-or-update: concurrent saves of one id never fail, the last wins.
 *   The payload's `accountId`, `grantId` (of grant members), `userCode` and `uid` are copied to
 *   indexed columns, for the lookups by them.
 * - `find`, `findByUid` and `findByUserCode` give `undefined` for what is missing or expired
 *   (stored with `expiresIn` seconds, past `now() + expiresIn + clockToleranceSeconds`).
 * - `consume` marks the row: found again, its payload carries `consumed` (epoch seconds).
 * - `revokeByGrantId` deletes the codes and tokens of every model that belong to the grant.
 *
 * Expired rows are only hidden here; the `oidc-payload-purge` job deletes them.
 *
 * @param fork gives a fresh EntityManager for each call (e.g. `() => database.forkUnscoped()`)
 * @throws RangeError for a clock tolerance that is not a finite number of seconds, 0 or more
 */
export function createPayloadAdapter(
  fork: () => EntityManager,
  options: PayloadAdapterOptions = {},
): AdapterConstructor {
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new RangeError(
      `clockToleranceSeconds must be a finite number of seconds, 0 or more, got ${tolerance}`,
    );
  }
  const toleranceMs = tolerance * 1000;

  /** Still counts: without an expiry, or expiring after now. */
  const live = () => ({ $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date(now()) } }] });

  return class OidcPayloadAdapter implements Adapter {
    /** The model this instance stores (`Session`, `AccessToken`...). */
    readonly kind: string;

    constructor(name: string) {
      if (typeof name !== 'string' || name === '' || name.length > 64) {
        throw new TypeError(`an oidc-provider model name is 1 to 64 characters, got "${String(name)}"`);
      }
      this.kind = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const at = now();
      const consumed: unknown = payload.consumed;
      await fork().upsert(
        OidcPayloadEntity,
        {
          kind: this.kind,
          id,
          payload: payload as Record<string, unknown>,
          grantId: GRANT_MEMBERS.has(this.kind) ? lookupKey(payload.grantId) : null,
          accountId: lookupKey(payload.accountId),
          userCode: lookupKey(payload.userCode),
          uid: lookupKey(payload.uid),
          expiresAt: typeof expiresIn === 'number' ? new Date(at + expiresIn * 1000 + toleranceMs) : null,
          consumedAt: !consumed ? null : new Date(typeof consumed === 'number' ? consumed * 1000 : at),
        },
        { onConflictFields: ['kind', 'id'], onConflictAction: 'merge', disableIdentityMap: true },
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const row = await fork().findOne(OidcPayloadEntity, { kind: this.kind, id, ...live() });
      return row === null ? undefined : storedPayload(row);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy({ uid });
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy({ userCode });
    }

    async consume(id: string): Promise<void> {
      await fork().nativeUpdate(
        OidcPayloadEntity,
        { kind: this.kind, id, consumedAt: null },
        { consumedAt: new Date(now()) },
      );
    }

    async destroy(id: string): Promise<void> {
      await fork().nativeDelete(OidcPayloadEntity, { kind: this.kind, id });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      // Only grant members have `grant_id` set (see `upsert`).
      await fork().nativeDelete(OidcPayloadEntity, { grantId });
    }

    private async findBy(key: { uid: string } | { userCode: string }): Promise<AdapterPayload | undefined> {
      const [row] = await fork().find(
        OidcPayloadEntity,
        { kind: this.kind, ...key, ...live() },
        // A secondary key is unique while its row lives; the newest wins should one be reused.
        { orderBy: { expiresAt: 'desc' }, limit: 1 },
      );
      return row === undefined ? undefined : storedPayload(row);
    }
  };
}
