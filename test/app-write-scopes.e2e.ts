import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkyWasteDraft } from '@sportello/test-support';
import { devToken, graphql, type GraphQLResponse } from './support/graphql-client.js';
import { liveClients, type LiveClients } from './support/live-client.js';
import { authorizeApp, type AppCredentials } from './support/oauth-flow.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 20;
const DEMO_APP: AppCredentials = {
  clientId: 'demo-app',
  clientSecret: 'demo-app-secret',
  redirectUri: 'http://localhost:5173/callback',
};

/** A change in each area a citizen can make, and the write scope an app needs to make it for them. */
const CHANGES = [
  {
    service: 'identity',
    scope: 'profile:write',
    query: 'mutation { setPreferredLanguage(language: IT) { fiscalCode } }',
    variables: {},
  },
  {
    service: 'identity',
    scope: 'notifications:write',
    query:
      'mutation { updateNotificationPreferences(changes: [{ category: ORDINANCES, channel: EMAIL, enabled: true }]) { fiscalCode } }',
    variables: {},
  },
  {
    service: 'anagrafe',
    scope: 'anagrafe:write',
    query: 'mutation($input: CertificateRequestInput!) { requestCertificate(input: $input) { status } }',
    variables: { input: { kinds: ['RESIDENCE'], use: 'uso privato', exemption: 'PENSION' } },
  },
  {
    service: 'practices',
    scope: 'practices:write',
    query: 'mutation($input: CreatePracticeDraftInput!) { createPracticeDraft(input: $input) { status } }',
    variables: { input: bulkyWasteDraft() },
  },
] as const;

const READ_SCOPES = 'openid profile anagrafe tributi practices notifications';

describe.each(['embedded', 'distributed'] as const)(
  'write scopes of apps, through the gateway (%s mode)',
  (mode) => {
    let hub: RunningHub;
    let live: LiveClients;
    let citizen: DemoPerson;
    let readOnly: string;
    let writer: string;
    let own: string;

    /** One operation over graphql-ws, as an app holding a socket sends it: its only result. */
    async function overSocket(token: string, query: string, variables: Record<string, unknown>) {
      const client = live.connect(token);
      return new Promise<GraphQLResponse>((resolve, reject) => {
        let result: GraphQLResponse | undefined;
        client.subscribe(
          { query, variables },
          {
            next: (value) => void (result = value as GraphQLResponse),
            error: reject,
            complete: () => (result === undefined ? reject(new Error('no result')) : resolve(result)),
          },
        );
      });
    }

    beforeAll(async () => {
      const comune = mode === 'embedded' ? '999001' : randomComune();
      const { people } = generatePopulation({ households: HOUSEHOLDS, istat: comune });
      citizen = people.find((person) => person.relationship === 'head')!;
      hub = await startHub(mode, { households: HOUSEHOLDS, comune });
      live = liveClients(hub.api);
      readOnly = await authorizeApp(hub.identity, DEMO_APP, {
        fiscalCode: citizen.fiscalCode,
        scope: READ_SCOPES,
      });
      // Asking for more shows the consent page again; the citizen allows writing too.
      writer = await authorizeApp(hub.identity, DEMO_APP, {
        fiscalCode: citizen.fiscalCode,
        scope: `${READ_SCOPES} ${CHANGES.map((change) => change.scope).join(' ')}`,
      });
      own = (await devToken(hub.identity, { subject: citizen.fiscalCode })).access_token;
    }, 330_000);

    afterAll(async () => {
      await live?.dispose();
      await hub?.stop();
    }, 90_000);

    describe.each(CHANGES)('$service, $scope', ({ scope, query, variables }) => {
      const refusal = {
        code: 'FORBIDDEN',
        reason: 'SCOPE_REQUIRED',
        scope,
      };

      it('refuses an app granted only reading, over HTTP and over graphql-ws, naming the scope', async () => {
        const http = await graphql(hub.api, query, { token: readOnly, variables });
        expect(http.data).toBeNull();
        expect(http.errors?.[0]?.extensions).toMatchObject(refusal);
        expect(http.errors?.[0]?.message).toContain(`"${scope}" scope`);
        const socket = await overSocket(readOnly, query, variables);
        expect(socket.data ?? null).toBeNull();
        expect(socket.errors?.[0]?.extensions).toMatchObject(refusal);
      });

      it('lets an app granted the write scope make the change, over HTTP and over graphql-ws', async () => {
        const http = await graphql(hub.api, query, { token: writer, variables });
        expect(http.errors).toBeUndefined();
        const socket = await overSocket(writer, query, variables);
        expect(socket.errors).toBeUndefined();
      });

      it('lets the citizen signed in themselves make the change', async () => {
        const http = await graphql(hub.api, query, { token: own, variables });
        expect(http.errors).toBeUndefined();
      });
    });
  },
);
