import { computeFiscalCode, type EventEnvelope } from '@sportello/schema';
import { DATABASE_DRIVERS } from '@sportello/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DelegationEntity } from '../entities/delegation.entity.js';
import { startFakeAnagrafe } from '../test-support/fake-anagrafe.js';
import { startIdentity, type TestIdentity } from '../test-support/harness.js';

const person = (name: string, surname: string, sex: 'F' | 'M', birthDate: string) =>
  computeFiscalCode({ name, surname, sex, birthDate, birthPlaceCode: 'H501' });
const LAURA = person('Laura', 'Bassi', 'F', '1980-03-15');
const SARA = person('Sara', 'Bassi', 'F', '2014-05-10');

const CREATE = `mutation($input: CreateDelegationInput!) {
  createDelegation(input: $input) { id }
}`;

/**
 * A minor child's delegation is checked against anagrafe's family record: while anagrafe cannot be
 * reached the office is told so, clearly and with nothing recorded, instead of an internal error.
 */
describe.each(DATABASE_DRIVERS)('a minor-child delegation while anagrafe is unreachable (%s)', (driver) => {
  let service: TestIdentity;
  const events: EventEnvelope[] = [];
  const count = () => service.identity.database.forkUnscoped().count(DelegationEntity, {});

  beforeAll(async () => {
    // An anagrafe that was there and has stopped: its address refuses connections.
    const anagrafe = await startFakeAnagrafe([
      {
        code: 'F1',
        members: [
          { fiscalCode: LAURA, birthDate: '1980-03-15', relationship: 'HEAD' },
          { fiscalCode: SARA, birthDate: '2014-05-10', relationship: 'CHILD' },
        ],
      },
    ]);
    await anagrafe.close();
    service = await startIdentity({ anagrafeUrl: anagrafe.url }, driver);
    await service.bus.listen('sportello.>', (event) => void events.push(event));
  });
  afterAll(() => service?.close());

  it('answers SERVICE_UNAVAILABLE saying the registry could not be reached, and records nothing', async () => {
    const staff = await service.devToken({ subject: 'anagrafe.bianchi' });
    const before = await count();
    const answer = await service.graphql(CREATE, {
      token: staff,
      variables: { input: { delegator: SARA, delegate: LAURA, kind: 'MINOR_CHILD' } },
    });
    expect(answer.data?.createDelegation ?? null).toBeNull();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      field: 'input.delegator',
      retryAfter: expect.any(Number),
    });
    expect(answer.errors?.[0]?.message).toMatch(/anagrafe.*could not be reached.*try again/);
    // Neither the child's nor the parent's fiscal code is echoed back.
    expect(answer.errors?.[0]?.message).not.toContain(SARA);
    expect(await count()).toBe(before);
    expect(events.filter((event) => event.type.startsWith('delegation.'))).toEqual([]);
  });
});
