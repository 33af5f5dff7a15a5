/**
 * Who is calling. Built from a verified access token (never from a bare header) by the gateway and,
 * again, by every subgraph.
 */
export type Principal =
  AnonymousPrincipal | CitizenPrincipal | StaffPrincipal | ClientPrincipal | ServicePrincipal;

/** Offices a staff member can belong to; `admin` also grants audit and dead-letter access. */
export const OFFICES = ['anagrafe', 'tributi', 'practices', 'suap', 'civil-protection', 'admin'] as const;
export type Office = (typeof OFFICES)[number];

/**
 * Scopes a citizen can grant to a third-party app (authorization code flow). An area's plain scope
 * (`practices`) only reads; its `:write` scope (`practices:write`) lets the app act in the citizen's
 * name there (file, submit, book, change), and does not read by itself: an app asks for both.
 * Tributi has no write scope: no citizen operation changes a payment position (paying is pagoPA's).
 */
export const SCOPES = [
  'openid',
  'profile',
  'profile:write',
  'anagrafe',
  'anagrafe:write',
  'tributi',
  'practices',
  'practices:write',
  'notifications',
  'notifications:write',
] as const;
export type Scope = (typeof SCOPES)[number];

/** The scopes that let an app change something in the citizen's name. */
export type WriteScope = Extract<Scope, `${string}:write`>;
export const WRITE_SCOPES = SCOPES.filter((scope): scope is WriteScope => scope.endsWith(':write'));

/** The read scope a write scope goes with (`practices:write` → `practices`). */
export function readScopeOf(scope: WriteScope): Exclude<Scope, WriteScope> {
  return scope.slice(0, -':write'.length) as Exclude<Scope, WriteScope>;
}

export interface AnonymousPrincipal {
  kind: 'anonymous';
  comune: string;
}

export interface CitizenPrincipal {
  kind: 'citizen';
  comune: string;
  fiscalCode: string;
  /** Fiscal codes of the people this citizen may act for (minor children, delegating adults). */
  actsFor: string[];
  tokenId: string;
}

export interface StaffPrincipal {
  kind: 'staff';
  comune: string;
  username: string;
  offices: Office[];
  tokenId: string;
}

/**
 * A third-party app. With `onBehalfOf` the token was granted by that citizen (authorization code flow)
 * and reaches their data within `scopes`; without it (client credentials) only public data.
 */
export interface ClientPrincipal {
  kind: 'client';
  comune: string;
  clientId: string;
  scopes: Scope[];
  onBehalfOf?: { fiscalCode: string; actsFor: string[] };
  tokenId: string;
}

/**
 * Another Sportello service calling with its own token (client credentials of an internal client),
 * e.g. the notifier resolving recipients' contact points in batches. JWT claims: `kind: "service"`,
 * `service` (the calling service's name). A service reads personal data only where the owning
 * subgraph lists that service explicitly (the notifier may read contact points and zones, nothing
 * else), and every such read is for delivering what the citizen asked to receive.
 */
export interface ServicePrincipal {
  kind: 'service';
  comune: string;
  service: string;
  tokenId: string;
}
