import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql, type GraphQLResponse } from './support/graphql-client.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';

interface PracticeView {
  id: string;
  status: string;
  protocolNumber: string | null;
  timeline: Array<{
    action: string;
    from: string | null;
    to: string;
    note: string | null;
    actor: { you: boolean };
  }>;
}

const PRACTICE_FIELDS = 'id status protocolNumber timeline { action from to note actor { you } }';

/** Bulky-waste collection: a practices-office type whose form needs no attachment. */
const BULKY_WASTE = {
  pickupAddress: { street: 'Via Roma', number: '12', postcode: '12042' },
  items: [{ kind: 'mattress' }, { kind: 'furniture', description: 'armadio a due ante' }],
  phone: '+39 0171 555123',
};

/** A practice from draft to acceptance through the gateway, as a citizen and staff of its office do it. */
describe('a practice life cycle through the gateway', () => {
  let dataDir: string;
  let hub: HubProcess;
  let api: string;
  let citizen: string;
  let staff: string;
  let otherOffice: string;

  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) =>
    graphql<Record<string, PracticeView>>(api, query, { token, variables });
  const practiceOf = (response: GraphQLResponse<Record<string, PracticeView>>, field: string) => {
    expect(response.errors).toBeUndefined();
    return response.data![field]!;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sportello-lifecycle-'));
    hub = startHubProcess('embedded', {
      PORT: '0',
      SMTP_PORT: '0',
      DATA_DIR: dataDir,
      DEMO_HOUSEHOLDS: '120',
    });
    const output = await hub.waitFor('Sportello is up.');
    api = /GraphQL API\s+(\S+)/.exec(output)![1]!;
    const identity = /demo tokens\s+POST (\S+)\/auth\/dev\/token/.exec(output)![1]!;
    citizen = (await devToken(identity, { kind: 'citizen' })).access_token;
    staff = (await devToken(identity, { subject: 'pratiche.verdi' })).access_token;
    otherOffice = (await devToken(identity, { subject: 'tributi.bianchi' })).access_token;
  });

  afterAll(async () => {
    await hub?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs from draft to acceptance, refuses what is not allowed, and keeps the whole timeline', async () => {
    const draft = practiceOf(
      await call(
        citizen,
        `mutation($data: JSONObject) { createPracticeDraft(input: { typeCode: "bulky-waste-collection", data: $data }) { ${PRACTICE_FIELDS} } }`,
        { data: { phone: BULKY_WASTE.phone } },
      ),
      'createPracticeDraft',
    );
    expect(draft.status).toBe('DRAFT');

    // A bad field is named, and what was saved before stays.
    const invalid = await call(
      citizen,
      'mutation($id: ID!, $data: JSONObject!) { savePracticeData(id: $id, data: $data) { id } }',
      { id: draft.id, data: { ...BULKY_WASTE, items: [{ kind: 'piano' }] } },
    );
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(String(invalid.errors?.[0]?.extensions?.field)).toContain('items');

    practiceOf(
      await call(
        citizen,
        'mutation($id: ID!, $data: JSONObject!) { savePracticeData(id: $id, data: $data) { id } }',
        {
          id: draft.id,
          data: BULKY_WASTE,
        },
      ),
      'savePracticeData',
    );
    const submitted = practiceOf(
      await call(citizen, `mutation($id: ID!) { submitPractice(id: $id) { ${PRACTICE_FIELDS} } }`, {
        id: draft.id,
      }),
      'submitPractice',
    );
    expect(submitted.status).toBe('REGISTERED');
    expect(submitted.protocolNumber).toMatch(/^\d{4}\/\d{6}$/);

    // Staff of another office may not touch it; the applicant may not take it in charge.
    const wrongOffice = await call(
      otherOffice,
      'mutation($id: ID!) { takePracticeInCharge(id: $id) { id } }',
      {
        id: draft.id,
      },
    );
    expect(wrongOffice.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const selfService = await call(citizen, 'mutation($id: ID!) { takePracticeInCharge(id: $id) { id } }', {
      id: draft.id,
    });
    expect(selfService.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN/);

    const steps: Array<[string, string, Record<string, unknown>]> = [
      [staff, 'takePracticeInCharge(id: $id, note: "presa in carico")', {}],
      [staff, 'requestPracticeIntegration(id: $id, message: "Indicare il piano e se c\'è ascensore")', {}],
      [citizen, 'answerPracticeIntegration(id: $id, answer: "Secondo piano, con ascensore")', {}],
      [staff, 'takePracticeInCharge(id: $id)', {}],
      [staff, 'startPracticeProcessing(id: $id)', {}],
      [staff, 'acceptPractice(id: $id, reason: "Ritiro fissato per giovedì")', {}],
    ];
    for (const [token, mutation, variables] of steps) {
      const response = await call(token, `mutation($id: ID!) { step: ${mutation} { status } }`, {
        id: draft.id,
        ...variables,
      });
      expect(response.errors, mutation).toBeUndefined();
    }

    // A final state admits nothing more, with an error naming where the practice is.
    const late = await call(
      citizen,
      'mutation($id: ID!) { withdrawPractice(id: $id, reason: "ci ho ripensato") { id } }',
      {
        id: draft.id,
      },
    );
    expect(late.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(late.errors?.[0]?.message).toMatch(/accepted/i);

    const final = practiceOf(
      await call(citizen, `query($id: ID!) { practice(id: $id) { ${PRACTICE_FIELDS} } }`, { id: draft.id }),
      'practice',
    );
    expect(final.status).toBe('ACCEPTED');
    const path = final.timeline.map((entry) => entry.to);
    expect(path[0]).toBe('DRAFT');
    expect(path).toEqual(
      expect.arrayContaining([
        'REGISTERED',
        'TAKEN_IN_CHARGE',
        'INTEGRATION_REQUESTED',
        'PROCESSING',
        'ACCEPTED',
      ]),
    );
    expect(path.indexOf('INTEGRATION_REQUESTED')).toBeLessThan(path.lastIndexOf('TAKEN_IN_CHARGE'));
    expect(path.at(-1)).toBe('ACCEPTED');
    // Each entry links to the one before it, and the citizen sees which steps were theirs.
    for (let i = 1; i < final.timeline.length; i++)
      expect(final.timeline[i]!.from).toBe(final.timeline[i - 1]!.to);
    expect(final.timeline.find((entry) => entry.to === 'ACCEPTED')).toMatchObject({
      note: 'Ritiro fissato per giovedì',
      actor: { you: false },
    });
    expect(final.timeline[0]!.actor.you).toBe(true);
  });
});
