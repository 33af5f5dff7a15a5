import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { mapWithConcurrency } from './support/bounded-concurrency.js';
import { foreignSignedToken, readJwt, tamperedToken, unsignedToken } from './support/forged-tokens.js';
import { devToken, graphql, type GraphQLResponse } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { authorizeApp, clientCredentialsToken, type AppCredentials } from './support/oauth-flow.js';

/**
 * Who reads which personal data of a citizen, through the gateway of a running embedded hub: every
 * personal field of `Citizen` and every root query returning personal data, asked by every kind of
 * caller, with the expected answer derived from the policy each service documents.
 */

const HOUSEHOLDS = 150;
const CONCURRENCY = 8;
const DEMO_APP: AppCredentials = {
  clientId: 'demo-app',
  clientSecret: 'demo-app-secret',
  redirectUri: 'http://localhost:5173/callback',
};

type Office = 'anagrafe' | 'tributi' | 'practices' | 'suap' | 'civil-protection' | 'admin';
type Scope = 'profile' | 'anagrafe' | 'tributi' | 'practices' | 'notifications';
type Refusal = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND';

/** Who calls: what the token says about them, as the matrix needs it. */
type Persona =
  | { name: string; kind: 'anonymous' }
  | { name: string; kind: 'citizen'; fiscalCode: string; actsFor: string[] }
  | { name: string; kind: 'staff'; username: string; office: Office }
  | { name: string; kind: 'app'; fiscalCode: string; actsFor: string[]; scopes: Scope[] }
  | { name: string; kind: 'client-credentials' };

/**
 * A personal field of `Citizen` and who may read it besides the person and whoever acts for them:
 * staff of `offices`, apps holding the person's grant with `scope`. From the services' own
 * documentation: identity's README table (CITIZEN_FIELD_RULES), anagrafe's RECORD_RULES, tributi's
 * PAYMENT_POSITION_RULE, practices' PRACTICE_OFFICES, the notifier's `notifications` resolver.
 */
interface PersonalField {
  field: string;
  selection: string;
  service: 'identity' | 'anagrafe' | 'tributi' | 'practices' | 'notifier';
  scope: Scope;
  offices: readonly Office[];
}

const IDENTITY_STAFF: readonly Office[] = ['anagrafe', 'admin'];
const identityField = (
  field: string,
  selection = field,
  scope: Scope = 'profile',
  offices = IDENTITY_STAFF,
) => ({ field, selection, service: 'identity', scope, offices }) as const;
const anagrafeField = (field: string, selection: string) =>
  ({ field, selection, service: 'anagrafe', scope: 'anagrafe', offices: ['anagrafe'] }) as const;

const PERSONAL_FIELDS: readonly PersonalField[] = [
  identityField('givenName'),
  identityField('familyName'),
  identityField('email'),
  identityField('emailVerified'),
  identityField('telegramLinked'),
  identityField('ioEnabled'),
  identityField('preferredLanguage'),
  identityField(
    'notificationPreferences',
    'notificationPreferences { category channel enabled }',
    'notifications',
    ['admin'],
  ),
  identityField('actsFor', 'actsFor { delegator delegate active }'),
  identityField('delegates', 'delegates { delegator delegate active }'),
  anagrafeField('residence', 'residence { givenName civilStatus address { street zone } }'),
  anagrafeField('family', 'family { code members { fiscalCode relationship } }'),
  anagrafeField('identityDocuments', 'identityDocuments { kind expiresOn }'),
  anagrafeField('certificates', 'certificates { totalCount nodes { id holderFiscalCode } }'),
  anagrafeField('residenceChanges', 'residenceChanges { totalCount nodes { id status } }'),
  {
    field: 'paymentPositions',
    selection: 'paymentPositions(first: 5) { totalCount nodes { id payerFiscalCode } }',
    service: 'tributi',
    scope: 'tributi',
    offices: ['tributi'],
  },
  {
    field: 'practices',
    selection: 'practices { nodes { id office applicantFiscalCode onBehalfOfFiscalCode } }',
    service: 'practices',
    scope: 'practices',
    offices: ['practices', 'suap', 'anagrafe', 'tributi'],
  },
  {
    field: 'notifications',
    selection: 'notifications(first: 5) { nodes { eventId } }',
    service: 'notifier',
    scope: 'notifications',
    offices: [],
  },
];

type Expected = { allowed: true } | { allowed: false; code: Refusal } | { absent: true };

/** The documented policy of one personal field, for one caller reading one person. */
function fieldPolicy(field: PersonalField, persona: Persona, target: string): Expected {
  const concerns = (who: { fiscalCode: string; actsFor: string[] }) =>
    who.fiscalCode === target || who.actsFor.includes(target);
  switch (persona.kind) {
    case 'anonymous':
      return { allowed: false, code: 'UNAUTHENTICATED' };
    case 'citizen':
      return concerns(persona) ? { allowed: true } : { allowed: false, code: 'FORBIDDEN' };
    case 'staff':
      return field.offices.includes(persona.office)
        ? { allowed: true }
        : { allowed: false, code: 'FORBIDDEN' };
    case 'app':
      return concerns(persona) && persona.scopes.includes(field.scope)
        ? { allowed: true }
        : { allowed: false, code: 'FORBIDDEN' };
    case 'client-credentials':
      return { allowed: false, code: 'FORBIDDEN' };
  }
}

/** One request of the matrix and what it must answer. */
interface Cell {
  label: string;
  persona: Persona;
  query: string;
  variables?: Record<string, unknown>;
  /** Where the personal data sits in `data`. */
  path: Array<string | number>;
  expected: Expected;
  /** Checks the data belongs to whom it should (allowed cells only). */
  belongs?: (value: unknown) => void;
  /** The allowed answer is a null field (the person has no such data), without any error. */
  nullData?: boolean;
}

type Answer = GraphQLResponse<Record<string, unknown>>;

function valueAt(data: unknown, path: Array<string | number>): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined) return value;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** Errors on the path, above it (a refused parent) or inside it. */
function errorsOn(answer: Answer, path: Array<string | number>) {
  return (answer.errors ?? []).filter((error) => {
    const at = error.path ?? [];
    const shared = Math.min(at.length, path.length);
    return at.slice(0, shared).every((key, index) => key === path[index]);
  });
}

/** What a cell got, in words, for a failure message that says who read what. */
function describeOutcome(cell: Cell, answer: Answer): string | null {
  const value = valueAt(answer.data, cell.path);
  const errors = errorsOn(answer, cell.path);
  const codes = errors.map((error) => error.extensions?.code);
  const expected = cell.expected;
  if ('absent' in expected) {
    return value === null || value === undefined ? null : `expected no data, got ${JSON.stringify(value)}`;
  }
  if (expected.allowed) {
    if (cell.nullData && value === null && errors.length === 0) return null;
    if (value === null || value === undefined || errors.length > 0) {
      return `expected data, got ${JSON.stringify(value)} with ${JSON.stringify(errors.map((e) => [e.path, e.extensions?.code, e.message]))}`;
    }
    try {
      cell.belongs?.(value);
    } catch (error) {
      return `data of the wrong person: ${(error as Error).message}`;
    }
    return null;
  }
  if (value !== null && value !== undefined) return `expected a refusal, got data ${JSON.stringify(value)}`;
  if (!codes.includes(expected.code)) {
    return `expected ${expected.code}, got ${JSON.stringify(errors.map((e) => [e.path, e.extensions?.code, e.message]))}`;
  }
  return null;
}

describe('authorisation matrix through the gateway', () => {
  let dataDir: string;
  let hub: HubProcess;
  let api: string;
  let identity: string;
  const tokens = new Map<string, string | undefined>();

  const people = generatePopulation({ households: HOUSEHOLDS }).people;
  const isMinor = (person: DemoPerson) => {
    const today = new Date();
    const birth = new Date(`${person.birthDate}T00:00:00Z`);
    const age = today.getUTCFullYear() - birth.getUTCFullYear();
    const birthdayPassed =
      today.getUTCMonth() > birth.getUTCMonth() ||
      (today.getUTCMonth() === birth.getUTCMonth() && today.getUTCDate() >= birth.getUTCDate());
    // A margin of a day either side keeps the choice stable around a birthday.
    return (birthdayPassed ? age : age - 1) < 17;
  };
  const minorsOf = (parent: DemoPerson) =>
    people.filter(
      (person) =>
        person.householdId === parent.householdId && person.relationship === 'child' && isMinor(person),
    );
  const parents = people.filter(
    (person) =>
      (person.relationship === 'head' || person.relationship === 'spouse') &&
      person.email !== undefined &&
      minorsOf(person).length > 0,
  );

  /** The parent whose data is read (chosen with positions and practices, so both show real data). */
  let parent: DemoPerson;
  let child: DemoPerson;
  let stranger: DemoPerson;
  let personas: Persona[];
  const positionOf = { parent: '', stranger: '' };
  let parentPractice: { id: string; office: string };

  const query = (persona: Persona, text: string, variables?: Record<string, unknown>) =>
    graphql<Record<string, unknown>>(api, text, { token: tokens.get(persona.name), variables });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sportello-authz-'));
    hub = startHubProcess('embedded', {
      PORT: '0',
      SMTP_PORT: '0',
      DATA_DIR: dataDir,
      DEMO_HOUSEHOLDS: String(HOUSEHOLDS),
    });
    const output = await hub.waitFor('Sportello is up.');
    api = /GraphQL API\s+(\S+)/.exec(output)![1]!;
    identity = /demo tokens\s+POST (\S+)\/auth\/dev\/token/.exec(output)![1]!;

    // A parent with payment positions and a practice of their own, so allowed reads show data.
    const tributi = (await devToken(identity, { subject: 'tributi.bianchi' })).access_token;
    const candidate = async (person: DemoPerson) => {
      const token = (await devToken(identity, { subject: person.fiscalCode })).access_token;
      const mine = await graphql<{
        me: { practices: { nodes: Array<{ id: string; office: string; applicantFiscalCode: string }> } };
      }>(api, '{ me { practices(first: 100) { nodes { id office applicantFiscalCode } } } }', { token });
      const practice = mine.data?.me.practices.nodes.find((p) => p.applicantFiscalCode === person.fiscalCode);
      if (!practice) return null;
      const positions = await graphql<{ paymentPositions: { nodes: Array<{ id: string }> } }>(
        api,
        'query($fc: FiscalCode!) { paymentPositions(first: 1, filter: { payerFiscalCode: $fc }) { nodes { id } } }',
        { token: tributi, variables: { fc: person.fiscalCode } },
      );
      const position = positions.data?.paymentPositions.nodes[0]?.id;
      return position ? { person, practice, position } : null;
    };
    // A few at a time, stopping at the first found: the gateway limits requests per address.
    let chosen: Awaited<ReturnType<typeof candidate>> = null;
    for (let start = 0; chosen === null && start < parents.length; start += CONCURRENCY) {
      const found = await mapWithConcurrency(
        parents.slice(start, start + CONCURRENCY),
        CONCURRENCY,
        candidate,
      );
      chosen = found.find((entry) => entry !== null) ?? null;
    }
    if (chosen === null) throw new Error('no parent of a minor with both a payment position and a practice');
    parent = chosen.person;
    parentPractice = chosen.practice;
    positionOf.parent = chosen.position;
    child = minorsOf(parent)[0]!;
    stranger = people.find(
      (person) =>
        person.householdId !== parent.householdId &&
        person.relationship === 'head' &&
        minorsOf(person).length === 0,
    )!;
    const strangerPositions = await graphql<{ paymentPositions: { nodes: Array<{ id: string }> } }>(
      api,
      'query($fc: FiscalCode!) { paymentPositions(first: 1, filter: { payerFiscalCode: $fc }) { nodes { id } } }',
      { token: tributi, variables: { fc: stranger.fiscalCode } },
    );
    positionOf.stranger = strangerPositions.data!.paymentPositions.nodes[0]!.id;

    const staff = (name: string, username: string, office: Office): Persona => ({
      name,
      kind: 'staff',
      username,
      office,
    });
    personas = [
      { name: 'anonymous', kind: 'anonymous' },
      { name: 'citizen', kind: 'citizen', fiscalCode: parent.fiscalCode, actsFor: [child.fiscalCode] },
      { name: 'other citizen', kind: 'citizen', fiscalCode: stranger.fiscalCode, actsFor: [] },
      staff('anagrafe staff', 'anagrafe.rossi', 'anagrafe'),
      staff('tributi staff', 'tributi.bianchi', 'tributi'),
      staff('practices staff', 'pratiche.verdi', 'practices'),
      staff('suap staff', 'suap.neri', 'suap'),
      staff('civil-protection staff', 'protezione.civile', 'civil-protection'),
      staff('admin', 'admin', 'admin'),
      {
        name: 'app with every scope',
        kind: 'app',
        fiscalCode: parent.fiscalCode,
        actsFor: [child.fiscalCode],
        scopes: ['profile', 'anagrafe', 'tributi', 'practices', 'notifications'],
      },
      {
        name: 'app with profile only',
        kind: 'app',
        fiscalCode: parent.fiscalCode,
        actsFor: [child.fiscalCode],
        scopes: ['profile'],
      },
      {
        name: 'app with tributi only',
        kind: 'app',
        fiscalCode: parent.fiscalCode,
        actsFor: [child.fiscalCode],
        scopes: ['tributi'],
      },
      { name: 'client credentials', kind: 'client-credentials' },
    ];
    for (const persona of personas) {
      switch (persona.kind) {
        case 'anonymous':
          tokens.set(persona.name, undefined);
          break;
        case 'citizen':
          tokens.set(persona.name, (await devToken(identity, { subject: persona.fiscalCode })).access_token);
          break;
        case 'staff':
          tokens.set(persona.name, (await devToken(identity, { subject: persona.username })).access_token);
          break;
        case 'app':
          tokens.set(
            persona.name,
            await authorizeApp(identity, DEMO_APP, {
              fiscalCode: persona.fiscalCode,
              scope: ['openid', ...persona.scopes].join(' '),
            }),
          );
          break;
        case 'client-credentials':
          tokens.set(persona.name, await clientCredentialsToken(identity, DEMO_APP));
          break;
      }
    }
  });

  afterAll(async () => {
    await hub?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('issues the tokens the matrix needs, each naming its caller', () => {
    const claims = (name: string) => readJwt(tokens.get(name)!).claims;
    expect(claims('citizen')).toMatchObject({ kind: 'citizen', sub: parent.fiscalCode });
    expect(claims('citizen')['acts_for']).toContain(child.fiscalCode);
    expect(claims('app with every scope')).toMatchObject({
      kind: 'client',
      client_id: 'demo-app',
      on_behalf_of: { fiscal_code: parent.fiscalCode },
    });
    expect(String(claims('app with profile only')['scope']).split(' ').sort()).toEqual(['openid', 'profile']);
    expect(claims('client credentials')).toMatchObject({ kind: 'client', client_id: 'demo-app' });
    expect(claims('client credentials')['on_behalf_of']).toBeUndefined();
  });

  /** Every personal field of Citizen, through `citizen(fiscalCode:)`, `me` and `citizensByFiscalCodes`. */
  function citizenCells(): Cell[] {
    const cells: Cell[] = [];
    const readers: Array<[Persona, DemoPerson]> = personas.flatMap((persona): Array<[Persona, DemoPerson]> =>
      persona.kind === 'citizen' || persona.kind === 'app'
        ? [
            [persona, parent],
            [persona, child],
          ]
        : [[persona, parent]],
    );
    const everyField = PERSONAL_FIELDS.map((field) => field.selection).join(' ');
    const whom = (target: DemoPerson) => (target === parent ? 'the parent' : 'their minor child');
    for (const [persona, target] of readers) {
      for (const field of PERSONAL_FIELDS) {
        const expected = fieldPolicy(field, persona, target.fiscalCode);
        const cell = {
          persona,
          variables: { fc: target.fiscalCode },
          expected,
          belongs: belongsTo(field.field, target),
          nullData: field.field === 'email' && target.email === undefined,
        };
        cells.push({
          ...cell,
          label: `${persona.name} reads ${field.field} of ${whom(target)} via citizen()`,
          query: `query($fc: FiscalCode!) { citizen(fiscalCode: $fc) { fiscalCode ${field.selection} } }`,
          path: ['citizen', field.field],
        });
        // Delivery and staff lists: documented for the notifier and staff, who then meet each
        // field's own rule.
        if (persona.kind === 'staff') {
          cells.push({
            ...cell,
            label: `${persona.name} reads ${field.field} of ${whom(target)} via citizensByFiscalCodes()`,
            query: `query($fc: FiscalCode!) { citizensByFiscalCodes(fiscalCodes: [$fc]) { fiscalCode ${field.selection} } }`,
            path: ['citizensByFiscalCodes', 0, field.field],
          });
        }
      }
      // Everyone else is refused the list itself, whatever the selection.
      if (persona.kind !== 'staff') {
        cells.push({
          label: `${persona.name} reads every field of ${whom(target)} via citizensByFiscalCodes()`,
          persona,
          query: `query($fc: FiscalCode!) { citizensByFiscalCodes(fiscalCodes: [$fc]) { fiscalCode ${everyField} } }`,
          variables: { fc: target.fiscalCode },
          path: ['citizensByFiscalCodes'],
          expected: { allowed: false, code: persona.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN' },
        });
      }
    }
    for (const persona of personas) {
      if (persona.name === 'other citizen') continue;
      if (persona.kind === 'citizen' || persona.kind === 'app') {
        for (const field of PERSONAL_FIELDS) {
          cells.push({
            label: `${persona.name} reads ${field.field} via me`,
            persona,
            query: `{ me { fiscalCode ${field.selection} } }`,
            path: ['me', field.field],
            expected: fieldPolicy(field, persona, parent.fiscalCode),
            belongs: belongsTo(field.field, parent),
          });
        }
      } else {
        // `me` is null for callers with no citizen behind them, whatever the selection; without a
        // token the caller is asked to sign in.
        cells.push({
          label: `${persona.name} reads every field via me`,
          persona,
          query: `{ me { fiscalCode ${everyField} } }`,
          path: ['me'],
          expected:
            persona.kind === 'anonymous' ? { allowed: false, code: 'UNAUTHENTICATED' } : { absent: true },
        });
      }
    }
    return cells;
  }

  /** Checks that an allowed read returned the target's data, not someone else's. */
  function belongsTo(field: string, target: DemoPerson): ((value: unknown) => void) | undefined {
    const code = target.fiscalCode;
    switch (field) {
      case 'givenName':
        return (value) => expect(value).toBe(target.givenName);
      case 'familyName':
        return (value) => expect(value).toBe(target.familyName);
      case 'email':
        return (value) => expect(value).toBe(target.email);
      case 'residence':
        return (value) => expect((value as { givenName: string }).givenName).toBe(target.givenName);
      case 'family':
        return (value) =>
          expect(
            (value as { members: Array<{ fiscalCode: string }> }).members.map((m) => m.fiscalCode),
          ).toContain(code);
      case 'certificates':
        return (value) =>
          expect(
            (value as { nodes: Array<{ holderFiscalCode: string }> }).nodes.every(
              (c) => c.holderFiscalCode === code,
            ),
          ).toBe(true);
      case 'actsFor':
        return (value) =>
          expect((value as Array<{ delegate: string }>).every((d) => d.delegate === code)).toBe(true);
      case 'delegates':
        return (value) =>
          expect((value as Array<{ delegator: string }>).every((d) => d.delegator === code)).toBe(true);
      case 'paymentPositions':
        return (value) =>
          expect(
            (value as { nodes: Array<{ payerFiscalCode: string }> }).nodes.every(
              (p) => p.payerFiscalCode === code,
            ),
          ).toBe(true);
      case 'practices':
        return (value) =>
          expect(
            (
              value as { nodes: Array<{ applicantFiscalCode: string; onBehalfOfFiscalCode: string | null }> }
            ).nodes.every((p) => p.applicantFiscalCode === code || p.onBehalfOfFiscalCode === code),
          ).toBe(true);
      default:
        return undefined;
    }
  }

  /** Root queries returning personal data, with who may ask them. */
  function rootCells(): Cell[] {
    const staffOf =
      (...offices: Office[]) =>
      (persona: Persona): Expected =>
        persona.kind === 'staff' && offices.includes(persona.office)
          ? { allowed: true }
          : { allowed: false, code: persona.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN' };
    const ownerOr =
      (owner: string, scope: Scope, offices: Office[], refusal: Refusal) =>
      (persona: Persona): Expected => {
        if (persona.kind === 'anonymous') return { allowed: false, code: 'UNAUTHENTICATED' };
        const owns =
          (persona.kind === 'citizen' && persona.fiscalCode === owner) ||
          (persona.kind === 'app' && persona.fiscalCode === owner && persona.scopes.includes(scope));
        const office = persona.kind === 'staff' && offices.includes(persona.office);
        return owns || office ? { allowed: true } : { allowed: false, code: refusal };
      };
    const citizenOnly =
      (scope: Scope) =>
      (persona: Persona): Expected =>
        persona.kind === 'citizen' || (persona.kind === 'app' && persona.scopes.includes(scope))
          ? { allowed: true }
          : { allowed: false, code: persona.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN' };

    const roots: Array<{
      name: string;
      query: string;
      variables?: Record<string, unknown>;
      policy: (persona: Persona) => Expected;
    }> = [
      {
        name: 'searchResidents',
        query:
          'query($q: String!) { searchResidents(query: $q, first: 5) { totalCount nodes { fiscalCode } } }',
        variables: { q: parent.familyName },
        policy: staffOf('anagrafe'),
      },
      {
        name: 'residentsInZones',
        query: '{ residentsInZones(first: 5) { totalCount nodes { fiscalCode } } }',
        policy: staffOf('anagrafe', 'civil-protection'),
      },
      {
        name: 'openResidenceChanges',
        query: '{ openResidenceChanges { nodes { id applicantFiscalCode } } }',
        policy: staffOf('anagrafe'),
      },
      {
        name: 'paymentPositions',
        query:
          'query($fc: FiscalCode!) { paymentPositions(first: 5, filter: { payerFiscalCode: $fc }) { nodes { payerFiscalCode } } }',
        variables: { fc: parent.fiscalCode },
        policy: staffOf('tributi'),
      },
      {
        name: 'paymentPosition',
        query: 'query($id: ID!) { paymentPosition(id: $id) { id payerFiscalCode } }',
        variables: { id: positionOf.parent },
        policy: ownerOr(parent.fiscalCode, 'tributi', ['tributi'], 'FORBIDDEN'),
      },
      {
        name: 'paymentPosition',
        query: 'query($id: ID!) { paymentPosition(id: $id) { id payerFiscalCode } }',
        variables: { id: positionOf.stranger },
        policy: ownerOr(stranger.fiscalCode, 'tributi', ['tributi'], 'FORBIDDEN'),
      },
      {
        name: 'practice',
        query: 'query($id: ID!) { practice(id: $id) { id applicantFiscalCode } }',
        variables: { id: parentPractice.id },
        policy: ownerOr(parent.fiscalCode, 'practices', [parentPractice.office as Office], 'NOT_FOUND'),
      },
      {
        name: 'myPractices',
        query: '{ myPractices { nodes { id applicantFiscalCode } } }',
        policy: citizenOnly('practices'),
      },
      {
        name: 'practiceQueue',
        query: '{ practiceQueue(office: "practices", first: 5) { nodes { id applicantFiscalCode } } }',
        policy: staffOf('practices'),
      },
      {
        name: 'practiceQueue',
        query: '{ practiceQueue(office: "suap", first: 5) { nodes { id applicantFiscalCode } } }',
        policy: staffOf('suap'),
      },
      {
        name: 'auditLog',
        query: '{ auditLog(first: 5) { totalCount nodes { subject } } }',
        policy: staffOf('admin'),
      },
      {
        name: 'deadLetters',
        query: '{ deadLetters(first: 5) { nodes { id eventType } } }',
        policy: staffOf('admin'),
      },
    ];
    return roots.flatMap((root) =>
      personas.map((persona) => ({
        label: `${persona.name} asks ${root.name}${root.variables ? ` ${JSON.stringify(Object.values(root.variables))}` : ''}`,
        persona,
        query: root.query,
        variables: root.variables,
        path: [root.name],
        expected: root.policy(persona),
      })),
    );
  }

  /**
   * The same fields reached as an entity from another subgraph (`Practice.applicant`), by the
   * callers who may see the practice: each field keeps its own rule, whatever the way in.
   */
  function applicantCells(): Cell[] {
    const seers = personas.filter(
      (persona) =>
        persona.name === 'citizen' ||
        (persona.kind === 'app' && persona.scopes.includes('practices')) ||
        (persona.kind === 'staff' && persona.office === parentPractice.office),
    );
    return seers.flatMap((persona) =>
      PERSONAL_FIELDS.map((field) => ({
        label: `${persona.name} reads ${field.field} of the applicant of a practice`,
        persona,
        query: `query($id: ID!) { practice(id: $id) { id applicant { fiscalCode ${field.selection} } } }`,
        variables: { id: parentPractice.id },
        path: ['practice', 'applicant', field.field],
        expected: fieldPolicy(field, persona, parent.fiscalCode),
        belongs: belongsTo(field.field, parent),
      })),
    );
  }

  it('answers every cell as the documented policy says (fields of Citizen and root queries)', async () => {
    const cells = [...citizenCells(), ...applicantCells(), ...rootCells()];
    expect(applicantCells().map((cell) => cell.persona.name)).toEqual(
      expect.arrayContaining(['citizen', 'app with every scope']),
    );
    const failures = (
      await mapWithConcurrency(cells, CONCURRENCY, async (cell) => {
        const answer = await query(cell.persona, cell.query, cell.variables);
        // No data at all for want of a token is a 401 challenge; anything else answers 200.
        const challenged =
          answer.status === 401 &&
          'allowed' in cell.expected &&
          !cell.expected.allowed &&
          cell.expected.code === 'UNAUTHENTICATED' &&
          (answer.data ?? null) === null;
        if (answer.status !== 200 && !challenged)
          return `${cell.label}: HTTP ${answer.status} ${JSON.stringify(answer.errors)}`;
        const wrong = describeOutcome(cell, answer);
        return wrong === null ? null : `${cell.label}: ${wrong}`;
      })
    ).filter((failure) => failure !== null);
    const allowed = cells.filter((cell) => 'allowed' in cell.expected && cell.expected.allowed).length;
    console.info(`authorisation matrix: ${cells.length} cells, ${allowed} allowed, ${failures.length} wrong`);
    expect(failures).toEqual([]);
  });

  it('shows a citizen their own residence, family and documents, and their positions only', async () => {
    const citizen = personas.find((persona) => persona.name === 'citizen')!;
    const mine = await query(
      citizen,
      `{ me {
          residence { givenName familyName }
          family { members { fiscalCode } }
          identityDocuments { kind }
          paymentPositions(first: 50) { totalCount nodes { id payerFiscalCode } }
      } }`,
    );
    expect(mine.errors).toBeUndefined();
    const me = mine.data!['me'] as {
      residence: { givenName: string; familyName: string };
      family: { members: Array<{ fiscalCode: string }> };
      identityDocuments: unknown[];
      paymentPositions: { totalCount: number; nodes: Array<{ id: string; payerFiscalCode: string }> };
    };
    expect(me.residence).toEqual({ givenName: parent.givenName, familyName: parent.familyName });
    expect(me.family.members.map((member) => member.fiscalCode)).toEqual(
      expect.arrayContaining([parent.fiscalCode, child.fiscalCode]),
    );
    expect(me.identityDocuments.length).toBeGreaterThan(0);
    expect(me.paymentPositions.totalCount).toBeGreaterThan(0);
    expect(me.paymentPositions.nodes.every((p) => p.payerFiscalCode === parent.fiscalCode)).toBe(true);

    // An app sees exactly the same positions, only with a grant carrying the tributi scope.
    const positionsQuery = '{ me { paymentPositions(first: 50) { nodes { id } } } }';
    for (const name of ['app with every scope', 'app with tributi only']) {
      const app = await query(
        personas.find((persona) => persona.name === name)!,
        positionsQuery,
      );
      expect(app.errors, name).toBeUndefined();
      expect(
        (app.data!['me'] as { paymentPositions: { nodes: Array<{ id: string }> } }).paymentPositions.nodes,
      ).toEqual(me.paymentPositions.nodes.map(({ id }) => ({ id })));
    }
    const withoutScope = await query(
      personas.find((persona) => persona.name === 'app with profile only')!,
      positionsQuery,
    );
    // Refused one field, the app keeps the rest of the answer, and is told the scope it lacks.
    expect(withoutScope.data?.['me']).toEqual({ paymentPositions: null });
    expect(withoutScope.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'SCOPE_REQUIRED',
      scope: 'tributi',
    });
    const overview = await query(
      personas.find((persona) => persona.name === 'app with tributi only')!,
      '{ me { fiscalCode identityDocuments { kind } practices { totalCount } paymentPositions(first: 5) { totalCount } } }',
    );
    const partial = overview.data!['me'] as Record<string, unknown>;
    expect(partial).toMatchObject({
      fiscalCode: parent.fiscalCode,
      identityDocuments: null,
      practices: null,
    });
    expect((partial['paymentPositions'] as { totalCount: number }).totalCount).toBe(
      me.paymentPositions.totalCount,
    );
    expect(
      Object.fromEntries(
        (overview.errors ?? []).map((error) => [error.path?.at(-1), error.extensions?.['scope']]),
      ),
    ).toEqual({ identityDocuments: 'anagrafe', practices: 'practices' });
  });

  it("writes the staff reads of anagrafe, tributi and identity to identity's audit log, and no refused read", async () => {
    const admin = personas.find((persona) => persona.name === 'admin')!;
    const entries = async (actorUsername: string, service?: string) => {
      const answer = await query(
        admin,
        `query($filter: AuditLogFilter) {
          auditLog(filter: $filter, first: 100) { totalCount items: nodes { service action fields actorUsername subject } }
        }`,
        { filter: { actorUsername, subject: parent.fiscalCode, ...(service ? { service } : {}) } },
      );
      expect(answer.errors).toBeUndefined();
      return (
        answer.data!['auditLog'] as { items: Array<{ service: string; fields: string[]; subject: string }> }
      ).items;
    };
    // The entries travel as audit.personal-data-read events to identity: wait for them.
    const eventually = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 15_000, interval: 500 });
    await eventually(async () => {
      const anagrafe = (await entries('anagrafe.rossi', 'anagrafe')).flatMap((entry) => entry.fields);
      expect(anagrafe).toEqual(
        expect.arrayContaining([
          'Citizen.residence',
          'Citizen.family',
          'Citizen.identityDocuments',
          'Citizen.certificates',
          'Citizen.residenceChanges',
        ]),
      );
      const tributi = (await entries('tributi.bianchi', 'tributi')).flatMap((entry) => entry.fields);
      expect(tributi).toEqual(expect.arrayContaining(['Citizen.paymentPositions']));
      const identity = (await entries('anagrafe.rossi', 'identity')).flatMap((entry) => entry.fields);
      expect(identity).toEqual(expect.arrayContaining(['profile', 'contacts', 'delegations']));
    });
    // Refused reads are not audited: the wrong offices left no trace of the fields they were denied.
    const denied = [
      ...(await entries('protezione.civile')),
      ...(await entries('suap.neri', 'anagrafe')),
      ...(await entries('suap.neri', 'tributi')),
      ...(await entries('suap.neri', 'identity')),
      ...(await entries('pratiche.verdi', 'anagrafe')),
      ...(await entries('tributi.bianchi', 'anagrafe')),
    ].flatMap((entry) => entry.fields);
    expect(denied.filter((field) => field.startsWith('Citizen.') || field === 'profile')).toEqual([]);
  });

  it('refuses forged, tampered, expired and unsigned tokens with 401 UNAUTHENTICATED and no data', async () => {
    const genuine = tokens.get('citizen')!;
    const { header, claims } = readJwt(genuine);
    const now = Math.floor(Date.now() / 1000);
    const forStranger = { sub: stranger.fiscalCode, fiscal_code: stranger.fiscalCode, acts_for: [] };
    const forged: Record<string, string> = {
      'tampered claims (another citizen)': tamperedToken(genuine, forStranger),
      'tampered claims (staff of every office)': tamperedToken(tokens.get('tributi staff')!, {
        offices: ['anagrafe', 'tributi', 'practices', 'suap', 'civil-protection', 'admin'],
      }),
      "signed by another key under the issuer's kid": foreignSignedToken(header, {
        ...claims,
        ...forStranger,
      }),
      'expired (and signed by another key)': foreignSignedToken(header, {
        ...claims,
        iat: now - 7200,
        exp: now - 3600,
      }),
      'unsigned (alg none)': unsignedToken(header, claims),
      'not a JWT': 'sportello-not-a-token',
    };
    for (const [kind, token] of Object.entries(forged)) {
      const answer = await graphql(
        api,
        `
          query ($fc: FiscalCode!) {
            me {
              fiscalCode
              residence {
                civilStatus
              }
            }
            citizen(fiscalCode: $fc) {
              givenName
            }
          }
        `,
        { token, variables: { fc: stranger.fiscalCode } },
      );
      expect(answer.status, kind).toBe(401);
      expect(answer.data ?? null, kind).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code, kind).toBe('UNAUTHENTICATED');
    }
    // The genuine token still works: the refusals were about the forgeries.
    const genuineAnswer = await graphql(api, '{ me { fiscalCode } }', { token: genuine });
    expect(genuineAnswer.data).toEqual({ me: { fiscalCode: parent.fiscalCode } });
  });
});
