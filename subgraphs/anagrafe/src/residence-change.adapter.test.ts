import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeResidenceStatus } from './domain/residence-change-operations.js';
import {
  PEOPLE,
  COMUNE,
  startAnagrafe,
  today,
  type GraphQLAnswer,
  type TestAnagrafe,
} from './test-support/harness.js';
import { addDays } from '@sportello/platform';

const CHANGE =
  'id status declaredOn registeredOn checkDeadline replyDueOn address { street number zone } movers { fiscalCode previousAddress { street number zone } }';
const DECLARE = `mutation ($input: ResidenceDeclarationInput!) { declareResidenceChange(input: $input) { ${CHANGE} } }`;
const ADDRESS = 'residence { address { street number postcode zone } }';

function codes(answer: GraphQLAnswer): unknown[] {
  return (answer.errors ?? []).map((error) => error.extensions?.['code']);
}

let t: TestAnagrafe;

async function addressOf(fiscalCode: string) {
  const answer = await t.citizenFields(fiscalCode, ADDRESS, t.citizen(fiscalCode));
  return (answer.data?.['_entities'] as { residence: { address: unknown } }[])[0]!.residence.address;
}

describe.each(DATABASE_DRIVERS)('change of residence on %s', (driver) => {
  beforeAll(async () => {
    t = await startAnagrafe({}, driver);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is declared by the citizen, registered by the office (address changes now), then accepted', async () => {
    const mario = t.citizen(PEOPLE.mario.fiscalCode);
    const declared = await t.graphql(DECLARE, {
      as: mario,
      variables: {
        input: {
          address: { street: 'Strada della Collina', number: '5b' },
          withMembers: [PEOPLE.luca.fiscalCode],
        },
      },
    });
    expect(declared.errors).toBeUndefined();
    const change = declared.data?.['declareResidenceChange'] as {
      id: string;
      status: string;
      movers: unknown[];
    };
    expect(change).toMatchObject({
      status: 'DECLARED',
      declaredOn: today(),
      address: { street: 'Strada della Collina', number: '5B', zone: 'collina' },
    });
    expect(change.movers).toHaveLength(2);
    // Nothing moves before the office registers it.
    expect(await addressOf(PEOPLE.mario.fiscalCode)).toMatchObject({ street: 'Via Roma', zone: 'centro' });

    const again = await t.graphql(DECLARE, {
      as: mario,
      variables: { input: { address: { street: 'Via del Fiume', number: '1' } } },
    });
    expect(codes(again)).toEqual(['CONFLICT']);
    expect(
      codes(
        await t.graphql(`mutation { registerResidenceChange(id: "${change.id}") { status } }`, { as: mario }),
      ),
    ).toEqual(['FORBIDDEN']);

    const staff = t.staff('anagrafe');
    const registered = await t.graphql(
      `mutation { registerResidenceChange(id: "${change.id}") { ${CHANGE} } }`,
      { as: staff },
    );
    expect(registered.data?.['registerResidenceChange']).toMatchObject({
      status: 'REGISTERED',
      registeredOn: today(),
    });
    expect(await addressOf(PEOPLE.mario.fiscalCode)).toEqual({
      street: 'Strada della Collina',
      number: '5B',
      postcode: '16101',
      zone: 'collina',
    });
    const accepted = await t.graphql(`mutation { acceptResidenceChange(id: "${change.id}") { status } }`, {
      as: staff,
    });
    expect(accepted.data?.['acceptResidenceChange']).toEqual({ status: 'ACCEPTED' });

    await t.settle();
    const statuses = t.events
      .filter((e) => e.type === 'residence-change.status-changed' && e.subject === change.id)
      .map((e) => e.data as { from: string | null; to: string });
    expect(statuses.map((s) => `${s.from}>${s.to}`)).toEqual([
      'null>declared',
      'declared>registered',
      'registered>accepted',
    ]);
    const moves = t.events.filter((e) => e.type === 'resident.address-changed').map((e) => e.data);
    expect(moves).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          fiscalCode: PEOPLE.mario.fiscalCode,
          zone: { from: 'centro', to: 'collina' },
          effectiveFrom: today(),
        }),
        expect.objectContaining({
          fiscalCode: PEOPLE.luca.fiscalCode,
          zone: { from: 'centro', to: 'collina' },
        }),
      ]),
    );
    // Chiara did not move.
    expect(await addressOf(PEOPLE.chiara.fiscalCode)).toMatchObject({ street: 'Via Roma' });
  });

  it('names a bad address and refuses someone outside the family', async () => {
    const giulia = t.citizen(PEOPLE.giulia.fiscalCode);
    const unknown = await t.graphql(DECLARE, {
      as: giulia,
      variables: { input: { address: { street: 'Via Inesistente', number: '1' } } },
    });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(unknown.errors?.[0]?.message).toMatch(
      /address.street: "Via Inesistente" is not in the comune's street register/,
    );
    const stranger = await t.graphql(DECLARE, {
      as: giulia,
      variables: {
        input: { address: { street: 'Via Roma', number: '30' }, withMembers: [PEOPLE.paolo.fiscalCode] },
      },
    });
    expect(codes(stranger)).toEqual(['BAD_USER_INPUT']);
  });

  it('after a notice of obstacles and 10 days without reply, rejection restores the previous address', async () => {
    const declared = await t.graphql(DECLARE, {
      as: t.citizen(PEOPLE.giulia.fiscalCode),
      variables: { input: { address: { street: 'Via Roma', number: '40' } } },
    });
    const id = (declared.data?.['declareResidenceChange'] as { id: string }).id;
    const staff = t.staff('anagrafe');
    await t.graphql(`mutation { registerResidenceChange(id: "${id}") { status } }`, { as: staff });
    expect(await addressOf(PEOPLE.giulia.fiscalCode)).toMatchObject({ street: 'Via Roma', zone: 'centro' });
    const noted = await t.graphql(
      `mutation { notifyResidenceChangeObstacles(id: "${id}", note: "Nessuno risulta abitare all'indirizzo") { status replyDueOn } }`,
      { as: staff },
    );
    expect(noted.data?.['notifyResidenceChangeObstacles']).toEqual({
      status: 'OBSTACLES_NOTIFIED',
      replyDueOn: addDays(today(), 10),
    });
    const early = await t.graphql(
      `mutation { rejectResidenceChange(id: "${id}", note: "Accertamento negativo") { status } }`,
      { as: staff },
    );
    expect(codes(early)).toEqual(['CONFLICT']);

    // Eleven days later (the office's clock, through the same use case the mutation runs).
    const em = t.service.database.fork({ comune: COMUNE });
    await changeResidenceStatus(
      em,
      id,
      'reject',
      { kind: 'staff', id: 'staff.anagrafe' },
      addDays(today(), 11),
      new Date(),
      'Accertamento negativo',
    );
    expect(await addressOf(PEOPLE.giulia.fiscalCode)).toEqual({
      street: 'Via del Fiume',
      number: '3',
      postcode: '16100',
      zone: 'fiume',
    });
    await t.settle();
    const zones = t.events
      .filter(
        (e) =>
          e.type === 'resident.address-changed' &&
          (e.data as { fiscalCode: string }).fiscalCode === PEOPLE.giulia.fiscalCode,
      )
      .map((e) => (e.data as { zone: unknown }).zone);
    expect(zones).toEqual([
      { from: 'fiume', to: 'centro' },
      { from: 'centro', to: 'fiume' },
    ]);
  });

  it('is accepted by silence 45 days after the declaration when no outcome came', async () => {
    const declared = await t.graphql(DECLARE, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
      variables: { input: { address: { street: 'Via del Fiume', number: '8' } } },
    });
    const id = (declared.data?.['declareResidenceChange'] as { id: string }).id;
    await t.graphql(`mutation { registerResidenceChange(id: "${id}") { status } }`, {
      as: t.staff('anagrafe'),
    });
    expect(await t.service.runSilentApprovalJob({ today: addDays(today(), 45) })).toBe(0);
    expect(await t.service.runSilentApprovalJob({ today: addDays(today(), 46) })).toBe(1);
    expect(await t.service.runSilentApprovalJob({ today: addDays(today(), 46) })).toBe(0);
    const read = await t.graphql(`query { residenceChange(id: "${id}") { status } }`, {
      as: t.citizen(PEOPLE.paolo.fiscalCode),
    });
    expect(read.data?.['residenceChange']).toEqual({ status: 'ACCEPTED' });
    const other = await t.graphql(`query { residenceChange(id: "${id}") { status } }`, {
      as: t.citizen(PEOPLE.giulia.fiscalCode),
    });
    expect(codes(other)).toEqual(['NOT_FOUND']);
  });
});
