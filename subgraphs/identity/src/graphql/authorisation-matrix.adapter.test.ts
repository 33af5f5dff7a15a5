import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHIARA,
  CHILD,
  MARIO,
  startIdentity,
  type GraphQLAnswer,
  type TestIdentity,
} from '../test-support/harness.js';

/** Every personal field of Citizen, by the group that authorises it. */
const FIELDS = {
  profile: ['givenName', 'familyName'],
  contacts: ['email', 'emailVerified', 'telegramLinked', 'ioEnabled', 'preferredLanguage'],
  preferences: ['notificationPreferences { category channel enabled locked }'],
  delegations: ['actsFor { delegator active }', 'delegates { delegate active }'],
} as const;
type Group = keyof typeof FIELDS;
const GROUPS = Object.keys(FIELDS) as Group[];
const fieldName = (selection: string) => selection.split(' ')[0]!;

const QUERY = `query Matrix($fc: FiscalCode!) { citizen(fiscalCode: $fc) { fiscalCode ${Object.values(FIELDS).flat().join(' ')} } }`;

describe.each(DATABASE_DRIVERS)('on %s', (driver) => {
  let service: TestIdentity;
  const tokens: Record<string, string | undefined> = {};
  let grantedClientId = '';

  async function registerApp(
    admin: string,
    name: string,
    scopes: string[],
  ): Promise<{ clientId: string; secret: string }> {
    const answer = await service.graphql(
      `mutation($input: RegisterApiClientInput!) { registerApiClient(input: $input) { clientSecret client { clientId } } }`,
      {
        token: admin,
        variables: {
          input: {
            name,
            scopes: scopes.map((scope) => scope.toUpperCase()),
            redirectUris: ['http://localhost:5173/callback'],
          },
        },
      },
    );
    if (!answer.data?.registerApiClient) throw new Error(JSON.stringify(answer.errors));
    const registration = answer.data.registerApiClient as {
      clientSecret: string;
      client: { clientId: string };
    };
    return { clientId: registration.client.clientId, secret: registration.clientSecret };
  }

  beforeAll(async () => {
    service = await startIdentity({}, driver);
    tokens.self = await service.devToken({ subject: MARIO });
    tokens.other = await service.devToken({ subject: CHIARA });
    tokens.anagrafe = await service.devToken({ kind: 'staff', office: 'anagrafe' });
    tokens.tributi = await service.devToken({ subject: 'tributi.verdi' });
    tokens.admin = await service.devToken({ subject: 'admin.neri' });
    const profileApp = await registerApp(tokens.admin, 'Profile app', ['openid', 'profile']);
    const fullApp = await registerApp(tokens.admin, 'Full app', ['openid', 'profile', 'notifications']);
    const bareApp = await registerApp(tokens.admin, 'Bare app', ['openid', 'profile']);
    grantedClientId = profileApp.clientId;
    tokens.appProfile = await service.authorizationCode(
      profileApp.clientId,
      MARIO,
      'openid profile',
      profileApp.secret,
    );
    tokens.appFull = await service.authorizationCode(
      fullApp.clientId,
      MARIO,
      'openid profile notifications',
      fullApp.secret,
    );
    tokens.appNoScope = await service.authorizationCode(bareApp.clientId, MARIO, 'openid', bareApp.secret);
    const cc = await service.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: profileApp.clientId,
      client_secret: profileApp.secret,
    });
    tokens.clientCredentials = ((await cc.json()) as { access_token: string }).access_token;
    const notifier = await service.post('/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'sportello-notifier',
      client_secret: 'notifier-secret-for-tests',
    });
    tokens.notifier = ((await notifier.json()) as { access_token: string }).access_token;
  });

  afterAll(() => service?.close());

  /** Who, reading whom, may read which groups; `[]` means the whole citizen is refused. */
  const MATRIX: {
    caller: string;
    subject: string;
    allowed: Group[];
    refusal?: 'UNAUTHENTICATED' | 'FORBIDDEN';
  }[] = [
    { caller: 'anonymous', subject: MARIO, allowed: [], refusal: 'UNAUTHENTICATED' },
    { caller: 'self', subject: MARIO, allowed: GROUPS },
    { caller: 'other', subject: MARIO, allowed: [], refusal: 'FORBIDDEN' },
    { caller: 'self', subject: CHILD, allowed: GROUPS }, // Mario acts for the child: a delegate
    { caller: 'other', subject: CHILD, allowed: [], refusal: 'FORBIDDEN' },
    { caller: 'anagrafe', subject: MARIO, allowed: ['profile', 'contacts', 'delegations'] },
    // Staff of other offices and apps on the person's grant reach the citizen (other subgraphs'
    // fields may be theirs to read), but no identity field.
    { caller: 'tributi', subject: MARIO, allowed: [] },
    { caller: 'admin', subject: MARIO, allowed: GROUPS },
    { caller: 'appProfile', subject: MARIO, allowed: ['profile', 'contacts', 'delegations'] },
    { caller: 'appProfile', subject: CHILD, allowed: ['profile', 'contacts', 'delegations'] },
    { caller: 'appProfile', subject: CHIARA, allowed: [], refusal: 'FORBIDDEN' },
    { caller: 'appFull', subject: MARIO, allowed: GROUPS },
    { caller: 'appNoScope', subject: MARIO, allowed: [] },
    { caller: 'clientCredentials', subject: MARIO, allowed: [], refusal: 'FORBIDDEN' },
    { caller: 'notifier', subject: MARIO, allowed: ['contacts', 'preferences'] },
  ];

  function errorAt(answer: GraphQLAnswer, field: string) {
    return answer.errors?.find((error) => error.path?.[0] === 'citizen' && error.path?.[1] === field);
  }

  describe('authorisation matrix of Citizen over HTTP', () => {
    it.each(MATRIX)(
      '$caller reading $subject may read $allowed',
      async ({ caller, subject, allowed, refusal }) => {
        const answer = await service.graphql(QUERY, { token: tokens[caller], variables: { fc: subject } });
        expect(answer.status).toBe(200);
        const citizen = answer.data?.citizen as Record<string, unknown> | null;
        if (refusal !== undefined) {
          expect(citizen).toBeNull();
          expect(answer.errors?.[0]?.extensions?.code).toBe(refusal);
          // The refusal does not reveal whether the citizen has an account, nor repeat the code.
          expect(JSON.stringify(answer.errors)).not.toContain(subject);
          return;
        }
        expect(citizen?.fiscalCode).toBe(subject);
        for (const group of GROUPS) {
          for (const selection of FIELDS[group]) {
            const field = fieldName(selection);
            if (allowed.includes(group)) {
              expect(errorAt(answer, field), `${caller} should read ${field}`).toBeUndefined();
              expect(citizen).toHaveProperty(field);
              // The child has no email of their own: a null there is data, not a refusal.
              if (subject !== CHILD)
                expect(citizen?.[field], `${caller} should read ${field}`).not.toBeNull();
            } else {
              expect(citizen?.[field], `${caller} must not read ${field}`).toBeNull();
              expect(errorAt(answer, field)?.extensions?.code).toBe('FORBIDDEN');
            }
          }
        }
      },
    );

    /** The citizen's own grants to apps: theirs alone, whoever else asks. */
    const OWN_GRANTS: { caller: string; refusal?: 'UNAUTHENTICATED' | 'FORBIDDEN' }[] = [
      { caller: 'anonymous', refusal: 'UNAUTHENTICATED' },
      { caller: 'self' },
      { caller: 'other' },
      { caller: 'anagrafe', refusal: 'FORBIDDEN' },
      { caller: 'tributi', refusal: 'FORBIDDEN' },
      { caller: 'admin', refusal: 'FORBIDDEN' },
      { caller: 'appProfile', refusal: 'FORBIDDEN' },
      { caller: 'appFull', refusal: 'FORBIDDEN' },
      { caller: 'appNoScope', refusal: 'FORBIDDEN' },
      { caller: 'clientCredentials', refusal: 'FORBIDDEN' },
      { caller: 'notifier', refusal: 'FORBIDDEN' },
    ];

    it.each(OWN_GRANTS)(
      '$caller listing and withdrawing app grants (refusal: $refusal)',
      async ({ caller, refusal }) => {
        const list = await service.graphql('{ myAppGrants { nodes { clientId } } }', {
          token: tokens[caller],
        });
        // Withdrawing a grant nobody has: allowed callers learn there is none, the others are refused first.
        const revoke = await service.graphql('mutation { revokeAppGrant(clientId: "app_nobody_granted") }', {
          token: tokens[caller],
        });
        if (refusal !== undefined) {
          expect(list.data).toBeNull();
          expect(list.errors?.[0]?.extensions?.code).toBe(refusal);
          expect(revoke.errors?.[0]?.extensions?.code).toBe(refusal);
          return;
        }
        expect(list.errors).toBeUndefined();
        const granted = (list.data?.myAppGrants as { nodes: { clientId: string }[] }).nodes.map(
          (grant) => grant.clientId,
        );
        if (caller === 'self') expect(granted).toContain(grantedClientId);
        else expect(granted).toEqual([]);
        expect(revoke.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      },
    );

    it('asks a caller without a token to sign in for me, and answers null to callers with no citizen behind them', async () => {
      const anonymous = await service.graphql('{ me { fiscalCode } }', { token: tokens['anonymous'] });
      expect(anonymous.data?.me ?? null).toBeNull();
      expect(anonymous.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'AUTHENTICATION_REQUIRED',
      });
      for (const caller of ['anagrafe', 'clientCredentials', 'notifier']) {
        const answer = await service.graphql('{ me { fiscalCode } }', { token: tokens[caller] });
        expect(answer.errors, caller).toBeUndefined();
        expect(answer.data?.me, caller).toBeNull();
      }
    });

    it('shows the right data to the one allowed to read it', async () => {
      const answer = await service.graphql(`{ me { givenName email actsFor { delegator active } } }`, {
        token: tokens.self,
      });
      expect(answer.data?.me).toEqual({
        givenName: 'Mario',
        email: 'mario@example.org',
        actsFor: [{ delegator: CHILD, active: true }],
      });
    });

    it('writes every staff read of personal data to the audit log, which only admins read', async () => {
      await service.graphql(
        `query ReadMario($fc: FiscalCode!) { citizen(fiscalCode: $fc) { givenName email } }`,
        {
          token: tokens.anagrafe,
          variables: { fc: CHIARA },
        },
      );
      const log = await service.graphql(
        `query($f: AuditLogFilter) { auditLog(filter: $f, first: 5) { totalCount pageInfo { hasNextPage } items: nodes { actorUsername subject fields operation } } }`,
        { token: tokens.admin, variables: { f: { subject: CHIARA, actorUsername: 'anagrafe.bianchi' } } },
      );
      const page = log.data?.auditLog as { totalCount: number; items: { fields: string[] }[] };
      expect(page.totalCount).toBe(1);
      expect(page.items[0]).toMatchObject({
        actorUsername: 'anagrafe.bianchi',
        subject: CHIARA,
        fields: ['contacts', 'profile'],
      });

      // A clerk of another office is told which office may read it, as for every staff-only field.
      for (const query of [
        '{ auditLog { totalCount } }',
        '{ staffMembers { totalCount } }',
        '{ apiClients { totalCount } }',
      ]) {
        const refused = await service.graphql(query, { token: tokens.anagrafe });
        expect(refused.errors?.[0]?.extensions, query).toMatchObject({
          code: 'FORBIDDEN',
          reason: 'OFFICE_REQUIRED',
          offices: ['admin'],
        });
      }
    });
  });
});
