import { generatePopulation, type DemoPerson } from '@sportello/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devToken, graphql } from './support/graphql-client.js';
import { randomComune, startHub, type RunningHub } from './support/running-hub.js';

const HOUSEHOLDS = 40;

const CREATE = `mutation($input: CreateDelegationInput!) {
  createDelegation(input: $input) { delegator delegate kind validUntil active }
}`;

/** Today in the comune's calendar (Rome). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());

function ageOn(birthDate: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return day.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

/** The instant the 18th birthday starts in Rome (29 February born: 28 February in common years). */
function majorityStart(birthDate: string): string {
  const year = Number(birthDate.slice(0, 4)) + 18;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDay = birthDate.slice(5) === '02-29' && !leap ? '02-28' : birthDate.slice(5);
  const midnightUtc = new Date(`${year}-${monthDay}T00:00:00Z`);
  const romeHour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', hourCycle: 'h23' }).format(
      midnightUtc,
    ),
  );
  return new Date(midnightUtc.getTime() - romeHour * 3_600_000).toISOString();
}

describe.each(['embedded', 'distributed'] as const)(
  'delegations checked against anagrafe (%s mode)',
  (mode) => {
    let hub: RunningHub;
    let people: DemoPerson[];
    let staff: string;
    let parent: DemoPerson;
    let minor: DemoPerson;
    let stranger: DemoPerson;

    const call = (token: string, input: Record<string, unknown>) =>
      graphql<{ createDelegation: Record<string, unknown> | null }>(hub.api, CREATE, {
        token,
        variables: { input },
      });
    /** Expects `input` refused as bad user input naming `field`. */
    const expectRefused = async (token: string, field: string, input: Record<string, unknown>) => {
      const answer = await call(token, input);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    };

    beforeAll(async () => {
      const comune = mode === 'embedded' ? '999001' : randomComune();
      const population = generatePopulation({ households: HOUSEHOLDS, istat: comune });
      people = population.people;
      const day = today();
      const byHousehold = (person: DemoPerson) =>
        people.filter((other) => other.householdId === person.householdId);
      minor = people.find(
        (person) =>
          person.relationship === 'child' &&
          ageOn(person.birthDate, day) < 17 &&
          byHousehold(person).some((other) => other.relationship === 'head'),
      )!;
      parent = byHousehold(minor).find((person) => person.relationship === 'head')!;
      stranger = people.find(
        (person) => person.householdId !== minor.householdId && ageOn(person.birthDate, day) >= 25,
      )!;
      hub = await startHub(mode, { households: HOUSEHOLDS, comune });
      const clerk = population.staff.find((member) => member.offices.includes('anagrafe'))!;
      staff = (await devToken(hub.identity, { subject: clerk.username })).access_token;
    });
    afterAll(() => hub?.stop());

    it("records a parent's delegation for a minor of the family, ending at the 18th birthday", async () => {
      const answer = await call(staff, {
        delegator: minor.fiscalCode,
        delegate: parent.fiscalCode,
        kind: 'MINOR_CHILD',
      });
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.createDelegation).toMatchObject({
        kind: 'MINOR_CHILD',
        validUntil: majorityStart(minor.birthDate),
        active: true,
      });
    });

    it('refuses what the registry contradicts, naming the argument', async () => {
      // Someone of another family as the parent.
      await expectRefused(staff, 'input.delegate', {
        delegator: minor.fiscalCode,
        delegate: stranger.fiscalCode,
        kind: 'MINOR_CHILD',
      });
      // An adult head of a family as the "child".
      await expectRefused(staff, 'input.delegator', {
        delegator: stranger.fiscalCode,
        delegate: parent.fiscalCode,
        kind: 'MINOR_CHILD',
      });

      // A citizen naming a minor as the adult who acts for them, and a delegation backdated to 1970.
      const citizen = (await devToken(hub.identity, { subject: stranger.fiscalCode })).access_token;
      await expectRefused(citizen, 'input.delegate', {
        delegator: stranger.fiscalCode,
        delegate: minor.fiscalCode,
        kind: 'DELEGATING_ADULT',
      });
      await expectRefused(citizen, 'input.validFrom', {
        delegator: stranger.fiscalCode,
        delegate: parent.fiscalCode,
        kind: 'DELEGATING_ADULT',
        validFrom: '1970-01-01T00:00:00Z',
      });
    });

    it("gives the demo's open-ended parental delegations their end at the child's 18th birthday", async () => {
      const token = (await devToken(hub.identity, { subject: parent.fiscalCode })).access_token;
      await expect
        .poll(
          async () => {
            const mine = await graphql<{
              me: { actsFor: Array<{ delegator: string; validUntil: string | null }> };
            }>(hub.api, '{ me { actsFor { delegator validUntil } } }', { token });
            const ends = mine.data?.me.actsFor
              .filter((entry) => entry.delegator === minor.fiscalCode)
              .map((entry) => entry.validUntil);
            return [...new Set(ends)];
          },
          { timeout: 20_000 },
        )
        .toEqual([majorityStart(minor.birthDate)]);
    });
  },
);
