import { generatePopulation } from '@sportello/hub';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { devToken, graphql } from './support/graphql-client.js';
import { draftBulkyWasteCollection } from './support/practice-drafts.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

/** One subscription as a client app holds it: what it received, and how it ended. */
interface Subscription {
  results: Array<{ data?: Record<string, unknown> | null; errors?: unknown[] }>;
  errors: unknown[];
}

interface ApplicantView {
  id: string;
  status: string;
  applicant: {
    givenName: string | null;
    familyName: string | null;
    paymentPositions: { totalCount: number };
  };
}

const PRACTICE_CHANGED = `
  subscription OfficePractices {
    practiceChanged(office: "practices") {
      eventId
      from
      to
      at
      practice {
        id
        status
        applicant {
          givenName
          familyName
          paymentPositions {
            totalCount
          }
        }
      }
    }
  }
`;

/** One update of `practiceChanged` / `myPracticeChanged`. */
interface PracticeUpdate {
  eventId: string;
  from: string | null;
  to: string;
  practice: (ApplicantView & { id: string }) | null;
}

/** A practice the citizen submits through the gateway; its id. */
async function submitPractice(api: string, token: string): Promise<string> {
  const draft = await draftBulkyWasteCollection(
    api,
    token,
    { street: 'Via Roma', number: '12', postcode: '12100' },
    'Materasso matrimoniale',
  );
  expect(draft.errors).toBeUndefined();
  const practiceId = draft.data!.createPracticeDraft.id;
  const submitted = await graphql<{ submitPractice: { status: string } }>(
    api,
    `mutation { submitPractice(id: "${practiceId}") { status } }`,
    { token },
  );
  expect(submitted.errors).toBeUndefined();
  return practiceId;
}

describe.each(['embedded', 'distributed'] as const)(
  'live subscriptions through the gateway (%s mode)',
  (mode) => {
    const comune = mode === 'embedded' ? '999001' : randomComune();
    const households = mode === 'embedded' ? 300 : 150;
    const clients: Client[] = [];
    let hub: RunningHub;
    let api: string;
    let identity: string;

    beforeAll(async () => {
      hub = await startHub(mode, { households, comune });
      ({ api, identity } = hub);
    }, 320_000);

    afterAll(async () => {
      for (const client of clients.splice(0)) await client.dispose();
      await hub?.stop();
    }, 60_000);

    /** A graphql-ws client on a real socket, as a browser or app opens it. */
    function connect(token?: string): Client {
      const client = createClient({
        url: api.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      });
      clients.push(client);
      return client;
    }

    function subscribe(client: Client, query: string): Subscription {
      const subscription: Subscription = { results: [], errors: [] };
      client.subscribe(
        { query },
        {
          next: (value) => void subscription.results.push(value as Subscription['results'][number]),
          error: (error) => void subscription.errors.push(error),
          complete: () => undefined,
        },
      );
      return subscription;
    }

    /** Live subscriptions the gateway holds, from its metrics: they listen once this counts them. */
    async function openSubscriptions(): Promise<number> {
      const metrics = await (await fetch(api.replace(/\/graphql$/, '/metrics'))).text();
      return Number(/^sportello_gateway_open_subscriptions (\d+)/m.exec(metrics)?.[1] ?? 0);
    }

    async function token(request: Parameters<typeof devToken>[1]): Promise<string> {
      return (await devToken(identity, request)).access_token;
    }

    /** A seeded citizen of another household than `fiscalCode`'s, who does not act for them. */
    async function stranger(fiscalCode: string): Promise<string> {
      const people = generatePopulation({ households, istat: comune }).people;
      const household = people.find((person) => person.fiscalCode === fiscalCode)?.householdId;
      for (const person of people.filter((p) => p.householdId !== household)) {
        try {
          return await token({ subject: person.fiscalCode });
        } catch {
          // Not every resident has an account (children): try the next one.
        }
      }
      throw new Error('no other citizen with an account');
    }

    it('delivers a submitted practice to staff of its office with fields from practices, identity and tributi; nobody else hears of it', async () => {
      const frontDesk = await token({ subject: 'urp.galli' });
      const tributiStaff = await token({ kind: 'staff', office: 'tributi' });
      const applicant = await devToken(identity, { kind: 'citizen' });
      const other = await stranger(applicant.subject);

      const office = subscribe(connect(frontDesk), PRACTICE_CHANGED);
      const outsider = subscribe(connect(tributiStaff), PRACTICE_CHANGED);
      const MY_CHANGES = 'subscription { myPracticeChanged { eventId from to practice { id status } } }';
      const mine = subscribe(connect(applicant.access_token), MY_CHANGES);
      const notMine = subscribe(connect(other), MY_CHANGES);
      // Staff of another office are refused when they subscribe, with the reason.
      await expect.poll(() => outsider.errors.length, { timeout: 10_000 }).toBe(1);
      expect(outsider.errors[0]).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
      await expect.poll(openSubscriptions, { timeout: 10_000 }).toBe(3);

      // What the applicant's own overview says, for comparison with what staff receive.
      const me = await graphql<{
        me: { givenName: string; familyName: string; paymentPositions: { totalCount: number } };
      }>(api, '{ me { givenName familyName paymentPositions { totalCount } } }', {
        token: applicant.access_token,
      });
      expect(me.errors).toBeUndefined();

      const type = await graphql<{
        practiceType: { office: string; requiredAttachments: Array<{ required: boolean }> };
      }>(api, '{ practiceType(code: "bulky-waste-collection") { office requiredAttachments { required } } }');
      expect(type.data?.practiceType.office).toBe('practices');
      expect(type.data?.practiceType.requiredAttachments.filter((a) => a.required)).toEqual([]);
      const practiceId = await submitPractice(api, applicant.access_token);

      const about = (subscription: Subscription, field: string) =>
        subscription.results
          .map((r) => ({ result: r, update: r.data?.[field] as PracticeUpdate | undefined }))
          .filter(({ update }) => update?.practice?.id === practiceId);
      // Each change of state once, with what changed: submitted, then registered (the office never
      // hears of drafts; the citizen does).
      await expect
        .poll(() => about(office, 'practiceChanged').map(({ update }) => `${update!.from}>${update!.to}`), {
          timeout: 15_000,
        })
        .toEqual(['DRAFT>SUBMITTED', 'SUBMITTED>REGISTERED']);
      const updates = about(office, 'practiceChanged');
      expect(new Set(updates.map(({ update }) => update!.eventId)).size).toBe(2);
      for (const { result, update } of updates) {
        expect(result.errors).toBeUndefined();
        expect(update!.practice!.applicant).toEqual({
          givenName: me.data!.me.givenName,
          familyName: me.data!.me.familyName,
          paymentPositions: { totalCount: me.data!.me.paymentPositions.totalCount },
        });
      }
      // The draft itself never reached the office.
      expect(
        office.results.every((r) => (r.data?.['practiceChanged'] as PracticeUpdate).to !== 'DRAFT'),
      ).toBe(true);

      await expect
        .poll(() => about(mine, 'myPracticeChanged').map(({ update }) => update!.to), { timeout: 15_000 })
        .toEqual(['DRAFT', 'SUBMITTED', 'REGISTERED']);
      expect(about(mine, 'myPracticeChanged').every(({ result }) => result.errors === undefined)).toBe(true);
      // The other citizen's own practice, submitted after: once it reaches them, anything of the
      // first one would have too (the gateway hands out events in bus order).
      const theirs = await submitPractice(api, other);
      await expect
        .poll(
          () =>
            notMine.results.filter(
              (r) => (r.data?.['myPracticeChanged'] as PracticeUpdate).practice?.id === theirs,
            ).length,
          { timeout: 15_000 },
        )
        .toBe(3);
      expect(
        notMine.results.filter(
          (r) => (r.data?.['myPracticeChanged'] as PracticeUpdate).practice?.id === practiceId,
        ),
      ).toEqual([]);
      expect(notMine.errors).toEqual([]);
      expect(outsider.results).toEqual([]);
    });

    it('delivers an alert issued by civil-protection staff to an anonymous subscriber', async () => {
      const before = await openSubscriptions();
      const alerts = subscribe(
        connect(),
        'subscription { alertChanged { eventId kind at alert { id colour status headline } } }',
      );
      await expect.poll(openSubscriptions, { timeout: 10_000 }).toBe(before + 1);

      const staff = await token({ kind: 'staff', office: 'civil-protection' });
      const now = Date.now();
      const issued = await graphql<{ issueAlert: { id: string } }>(
        api,
        'mutation Issue($input: IssueAlertInput!) { issueAlert(input: $input) { id } }',
        {
          token: staff,
          variables: {
            input: {
              hazard: 'THUNDERSTORMS',
              colour: 'YELLOW',
              wholeComune: true,
              validFrom: new Date(now).toISOString(),
              validUntil: new Date(now + 6 * 3_600_000).toISOString(),
              instructions: 'Fissare gli oggetti sui balconi.',
            },
          },
        },
      );
      expect(issued.errors).toBeUndefined();
      const alertId = issued.data!.issueAlert.id;
      await expect
        .poll(
          () =>
            alerts.results.find(
              (r) => (r.data?.['alertChanged'] as { alert: { id: string } | null })?.alert?.id === alertId,
            ),
          {
            timeout: 15_000,
          },
        )
        .toEqual({
          data: {
            alertChanged: {
              eventId: expect.any(String),
              kind: 'ISSUED',
              at: expect.any(String),
              alert: { id: alertId, colour: 'YELLOW', status: 'ACTIVE', headline: expect.any(String) },
            },
          },
        });
    });
  },
);
