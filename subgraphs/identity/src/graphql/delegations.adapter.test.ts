import { computeFiscalCode, type EventEnvelope } from '@sportello/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIdentity } from '../seed/index.js';
import { DelegationEntity } from '../entities/delegation.entity.js';
import { startFakeAnagrafe } from '../test-support/fake-anagrafe.js';
import { CHILD, COMUNE, MARIO, startIdentity, type TestIdentity } from '../test-support/harness.js';

const person = (name: string, surname: string, sex: 'F' | 'M', birthDate: string) =>
  computeFiscalCode({ name, surname, sex, birthDate, birthPlaceCode: 'H501' });

// The Bassi family: Laura (head) and Paolo (spouse), Luca who turns 18 on 8 December 2026, Sara (12).
const LAURA = person('Laura', 'Bassi', 'F', '1980-03-15');
const PAOLO = person('Paolo', 'Bassi', 'M', '1979-07-02');
const LUCA = person('Luca', 'Bassi', 'M', '2008-12-08');
const SARA = person('Sara', 'Bassi', 'F', '2014-05-10');
// The Conte family: a "child" born in 1951 and his mother.
const ANNA = person('Anna', 'Conte', 'F', '1931-01-20');
const PIERO = person('Piero', 'Conte', 'M', '1951-02-01');
// Another family's minor, and a minor who does not live in the comune.
const GIULIA = person('Giulia', 'Verdi', 'F', '2012-09-30');
const ELSEWHERE = person('Marco', 'Neri', 'M', '2015-04-04');

/** Today in the tests: 7 December 2026, 11:00 in Rome. */
const START = new Date('2026-12-07T10:00:00Z');

const CREATE = `mutation($input: CreateDelegationInput!) {
  createDelegation(input: $input) { id delegator delegate kind validFrom validUntil active }
}`;
const ACTS_FOR = 'query($fc: FiscalCode!) { citizen(fiscalCode: $fc) { givenName } }';

describe.each(['sqlite', 'postgresql'] as const)('delegations checked against anagrafe (%s)', (driver) => {
  let service: TestIdentity;
  let anagrafe: Awaited<ReturnType<typeof startFakeAnagrafe>>;
  let now = START;
  let staff: string;
  let laura: string;
  const events: EventEnvelope[] = [];
  const count = () => service.identity.database.forkUnscoped().count(DelegationEntity, {});

  beforeAll(async () => {
    anagrafe = await startFakeAnagrafe([
      {
        code: 'F1',
        members: [
          { fiscalCode: LAURA, birthDate: '1980-03-15', relationship: 'HEAD' },
          { fiscalCode: PAOLO, birthDate: '1979-07-02', relationship: 'SPOUSE' },
          { fiscalCode: LUCA, birthDate: '2008-12-08', relationship: 'CHILD' },
          { fiscalCode: SARA, birthDate: '2014-05-10', relationship: 'CHILD' },
        ],
      },
      {
        code: 'F2',
        members: [
          { fiscalCode: ANNA, birthDate: '1931-01-20', relationship: 'HEAD' },
          { fiscalCode: PIERO, birthDate: '1951-02-01', relationship: 'CHILD' },
        ],
      },
      { code: 'F3', members: [{ fiscalCode: GIULIA, birthDate: '2012-09-30', relationship: 'CHILD' }] },
    ]);
    service = await startIdentity({ anagrafeUrl: anagrafe.url }, driver, undefined, { clock: () => now });
    await seedIdentity(service.identity.database.fork({ comune: COMUNE }), {
      comune: COMUNE,
      citizens: [
        { fiscalCode: LAURA, givenName: 'Laura', familyName: 'Bassi' },
        { fiscalCode: LUCA, givenName: 'Luca', familyName: 'Bassi' },
        { fiscalCode: SARA, givenName: 'Sara', familyName: 'Bassi' },
      ],
      staff: [],
    });
    await service.bus.listen('sportello.>', (event) => void events.push(event));
    staff = await service.devToken({ subject: 'anagrafe.bianchi' });
    laura = await service.devToken({ subject: LAURA });
  });
  afterAll(async () => {
    await service?.close();
    await anagrafe?.close();
  });

  async function refused(token: string, input: Record<string, unknown>, field: string): Promise<void> {
    const before = await count();
    const answer = await service.graphql(CREATE, { token, variables: { input } });
    expect(answer.data?.createDelegation ?? null).toBeNull();
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await count()).toBe(before);
  }

  it('refuses an adult delegation to a 12-year-old, and one from a minor', async () => {
    await refused(laura, { delegator: LAURA, delegate: SARA, kind: 'DELEGATING_ADULT' }, 'input.delegate');
    const sara = await service.devToken({ subject: SARA });
    await refused(sara, { delegator: SARA, delegate: LAURA, kind: 'DELEGATING_ADULT' }, 'input.delegator');
  });

  it("takes an adult delegation only from the delegator's own hand", async () => {
    const byStaff = await service.graphql(CREATE, {
      token: staff,
      variables: { input: { delegator: LAURA, delegate: MARIO, kind: 'DELEGATING_ADULT' } },
    });
    expect(byStaff.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'DELEGATOR_ONLY' });
    const forSomeoneElse = await service.graphql(CREATE, {
      token: laura,
      variables: { input: { delegator: MARIO, delegate: LAURA, kind: 'DELEGATING_ADULT' } },
    });
    expect(forSomeoneElse.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });

    // An adult who does not live here: the age comes from the fiscal code.
    const given = await service.graphql(CREATE, {
      token: laura,
      variables: { input: { delegator: LAURA, delegate: MARIO, kind: 'DELEGATING_ADULT' } },
    });
    expect(given.errors).toBeUndefined();
    expect(given.data?.createDelegation).toMatchObject({
      delegator: LAURA,
      delegate: MARIO,
      kind: 'DELEGATING_ADULT',
      validFrom: START.toISOString(),
      validUntil: null,
      active: true,
    });
  });

  it('refuses a delegation backdated to 1970, of either kind', async () => {
    const validFrom = '1970-01-01T00:00:00.000Z';
    await refused(
      laura,
      { delegator: LAURA, delegate: MARIO, kind: 'DELEGATING_ADULT', validFrom },
      'input.validFrom',
    );
    await refused(
      staff,
      { delegator: SARA, delegate: LAURA, kind: 'MINOR_CHILD', validFrom },
      'input.validFrom',
    );
    // Yesterday evening is backdating too; earlier today is not.
    await refused(
      staff,
      { delegator: SARA, delegate: LAURA, kind: 'MINOR_CHILD', validFrom: '2026-12-06T20:00:00.000Z' },
      'input.validFrom',
    );
  });

  it('refuses a minor-child delegation for a "child" born in 1951, outside the family, or not resident', async () => {
    await refused(staff, { delegator: PIERO, delegate: ANNA, kind: 'MINOR_CHILD' }, 'input.delegator');
    await refused(staff, { delegator: GIULIA, delegate: LAURA, kind: 'MINOR_CHILD' }, 'input.delegate');
    await refused(staff, { delegator: ELSEWHERE, delegate: LAURA, kind: 'MINOR_CHILD' }, 'input.delegator');
    // A parent as the child: Laura is the head of her family, not a child in it.
    await refused(staff, { delegator: LAURA, delegate: PAOLO, kind: 'MINOR_CHILD' }, 'input.delegator');
    // Past the 18th birthday.
    await refused(
      staff,
      { delegator: SARA, delegate: LAURA, kind: 'MINOR_CHILD', validUntil: '2033-01-01T00:00:00.000Z' },
      'input.validUntil',
    );
    expect(anagrafe.asked).toContain(PIERO);
  });

  it('ends a minor-child delegation at the 18th birthday and tells both', async () => {
    const recorded = await service.graphql(CREATE, {
      token: staff,
      variables: { input: { delegator: LUCA, delegate: LAURA, kind: 'MINOR_CHILD' } },
    });
    expect(recorded.errors).toBeUndefined();
    // Midnight in Rome at the start of 8 December 2026: in force all of the 7th.
    expect(recorded.data?.createDelegation).toMatchObject({
      kind: 'MINOR_CHILD',
      validUntil: '2026-12-07T23:00:00.000Z',
      active: true,
    });
    const sara = await service.graphql(CREATE, {
      token: staff,
      variables: { input: { delegator: SARA, delegate: LAURA, kind: 'MINOR_CHILD' } },
    });
    expect(sara.data?.createDelegation).toMatchObject({ validUntil: '2032-05-09T22:00:00.000Z' });

    const parent = await service.devToken({ subject: LAURA });
    expect(
      (await service.graphql(ACTS_FOR, { token: parent, variables: { fc: LUCA } })).data?.citizen,
    ).toEqual({
      givenName: 'Luca',
    });
    expect(await service.identity.runDelegationEnds()).toEqual({ bounded: 1, announced: 0 });

    // Half past midnight on his birthday.
    now = new Date('2026-12-07T23:30:00Z');
    const later = await service.devToken({ subject: LAURA });
    const refusedRead = await service.graphql(ACTS_FOR, { token: later, variables: { fc: LUCA } });
    expect(refusedRead.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const mine = await service.graphql('{ me { actsFor { delegator active } } }', { token: later });
    expect(mine.data?.me).toEqual({
      actsFor: expect.arrayContaining([
        { delegator: LUCA, active: false },
        { delegator: SARA, active: true },
      ]),
    });
    // Still acting for the younger child.
    expect(
      (await service.graphql(ACTS_FOR, { token: later, variables: { fc: SARA } })).data?.citizen,
    ).toEqual({
      givenName: 'Sara',
    });

    expect(await service.identity.runDelegationEnds()).toEqual({ bounded: 0, announced: 1 });
    await expect.poll(() => events.find((event) => event.type === 'delegation.ended')).toBeDefined();
    const ended = events.find((event) => event.type === 'delegation.ended')!;
    expect(ended.subject).toBe(LUCA);
    expect(ended.data).toMatchObject({
      kind: 'minor-child',
      delegator: LUCA,
      delegate: LAURA,
      reason: 'majority',
      majorityOn: '2026-12-08',
      endedAt: '2026-12-07T23:00:00.000Z',
    });
    await expect
      .poll(() =>
        events.find(
          (event) =>
            event.type === 'access.revoked' &&
            (event.data as { actsFor?: string }).actsFor === LUCA &&
            (event.data as { fiscalCode?: string }).fiscalCode === LAURA,
        ),
      )
      .toBeDefined();
    // Announced once.
    expect(await service.identity.runDelegationEnds()).toEqual({ bounded: 0, announced: 0 });
  });

  it('gives an end to minor-child delegations recorded without one', async () => {
    // The harness seeds Mario acting for a "child" born in 1983, open-ended: bounded above, at his
    // 18th birthday in 2001 (from the fiscal code: he is not in anagrafe), so long ago that it
    // ends in silence.
    const seeded = await service.identity.database
      .forkUnscoped()
      .findOneOrFail(DelegationEntity, { delegatorFiscalCode: CHILD, delegateFiscalCode: MARIO });
    expect(seeded.validUntil?.toISOString()).toBe('2001-11-17T23:00:00.000Z');
    expect(seeded.endAnnouncedAt).not.toBeNull();
    expect(events.some((event) => event.type === 'delegation.ended' && event.subject === CHILD)).toBe(false);
    const mario = await service.devToken({ subject: MARIO });
    const read = await service.graphql(ACTS_FOR, { token: mario, variables: { fc: CHILD } });
    expect(read.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});
